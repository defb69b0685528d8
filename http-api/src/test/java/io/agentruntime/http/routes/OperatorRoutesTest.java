package io.agentruntime.http.routes;

import static io.agentruntime.http.routes.SessionRoutesTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.Test;

/** An operator's controls of one session over a stub: suspend, resume, terminate, erase. */
class OperatorRoutesTest extends RouteTesting {

  @Test
  void suspendPassesItsReasonAndTheOthersTheirCaller() {
    api()
        .run(
            keyed(
                HttpRequest.POST("/v1/sessions/s1/suspend")
                    .withEntity(ContentTypes.APPLICATION_JSON, "{\"reason\": \"audit\"}")))
        .assertStatusCode(StatusCodes.OK);
    assertEquals(List.of("suspend", "dev", "s1", DEV, "audit"), sessions.last());

    api().run(keyed(HttpRequest.POST("/v1/sessions/s1/suspend"))).assertStatusCode(200);
    assertEquals(Arrays.asList("suspend", "dev", "s1", DEV, null), sessions.last());

    api().run(keyed(HttpRequest.POST("/v1/sessions/s1/resume"))).assertStatusCode(200);
    assertEquals(List.of("resume", "dev", "s1", DEV), sessions.last());

    api().run(keyed(HttpRequest.POST("/v1/sessions/s1/terminate"))).assertStatusCode(200);
    assertEquals(List.of("terminate", "dev", "s1", DEV), sessions.last());
  }

  @Test
  void eraseAnswersTheErasedId() throws Exception {
    JsonNode erased =
        body(
            api()
                .run(keyed(HttpRequest.POST("/v1/sessions/s1/erase")))
                .assertStatusCode(StatusCodes.OK));
    assertEquals("s1", erased.path("id").asText());
    assertEquals("erased", erased.path("status").asText());
    assertEquals(List.of("erase", "dev", "s1", DEV), sessions.last());
  }

  @Test
  void aReasonThatIsNoStringIsRefusedBeforeTheSessionsAreAsked() {
    api()
        .run(
            keyed(
                HttpRequest.POST("/v1/sessions/s1/suspend")
                    .withEntity(ContentTypes.APPLICATION_JSON, "{\"reason\": 7}")))
        .assertStatusCode(StatusCodes.BAD_REQUEST);
    assertEquals(List.of(), sessions.calls);
  }
}
