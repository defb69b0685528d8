package io.agentruntime.http.routes;

import static io.agentruntime.http.routes.SessionRoutesTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** {@code /v1/sessions/{id}/approvals[/{approvalId}]} over a stub. */
class ApprovalRoutesTest extends RouteTesting {

  @Test
  void theWaitingApprovalsAreListed() throws Exception {
    sessions.approval = StubSessions.approval("appr_9", "pending");

    TestRouteResult result = api().run(keyed(HttpRequest.GET("/v1/sessions/s1/approvals")));

    result.assertStatusCode(StatusCodes.OK);
    assertEquals(List.of("approvals", "dev", "s1", DEV), sessions.last());
    assertEquals("appr_9", body(result).path(0).path("id").asText());
    assertEquals("send_email", body(result).path(0).path("tool").asText());
  }

  @Test
  void aDecisionReachesTheSessionAsGivenAndAnswersTheDecidedApproval() throws Exception {
    TestRouteResult result =
        api()
            .run(
                keyed(
                    HttpRequest.POST("/v1/sessions/s1/approvals/appr_1")
                        .withEntity(
                            ContentTypes.APPLICATION_JSON,
                            "{\"decision\": \"approve\", \"comment\": \"fine\"}")));

    result.assertStatusCode(StatusCodes.OK);
    assertEquals(
        Arrays.asList("decideApproval", "dev", "s1", DEV, "appr_1", "approve", "fine", null),
        sessions.last());
    assertEquals("approved", body(result).path("status").asText());
  }

  @Test
  void anUnknownDecisionIsRefusedBeforeTheSessionsAreAsked() {
    api()
        .run(
            keyed(
                HttpRequest.POST("/v1/sessions/s1/approvals/appr_1")
                    .withEntity(ContentTypes.APPLICATION_JSON, "{\"decision\": \"maybe\"}")))
        .assertStatusCode(StatusCodes.BAD_REQUEST);

    assertEquals(List.of(), sessions.calls);
  }
}
