package io.agentruntime.http.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionSpec;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/sessions[/{id}]} over a stub: what the routes ask the sessions, and how they answer.
 */
class SessionRoutesTest extends RouteTesting {

  @Test
  void postCreatesANewSessionWithTheDefaultsAndNamesItInLocation() throws Exception {
    TestRouteResult result =
        api()
            .run(
                keyed(
                    HttpRequest.POST("/v1/sessions")
                        .withEntity(
                            ContentTypes.APPLICATION_JSON,
                            "{\"id\": \"s1\", \"agent\": {\"instructions\": \"Be brief.\"}}")));

    result.assertStatusCode(StatusCodes.CREATED);
    result.assertHeaderExists("Location", "/v1/sessions/s1");
    List<Object> call = sessions.last();
    assertEquals(List.of("create", "dev", "s1", DEV), call.subList(0, 4));
    SessionSpec spec = (SessionSpec) call.get(4);
    assertEquals("Be brief.", spec.agent().instructions());
    assertEquals(new Limits(8, 600, 0, null), spec.agent().limits());
    assertEquals(CreateMode.CREATE_NEW, call.get(5));
    assertEquals("s1", body(result).path("id").asText());
  }

  @Test
  void anIdempotencyKeyNamesTheSessionAndMatchesAnEarlierCreate() {
    api()
        .run(
            keyed(HttpRequest.POST("/v1/sessions"))
                .addHeader(RawHeader.create("Idempotency-Key", "create-1")))
        .assertStatusCode(StatusCodes.CREATED);

    List<Object> call = sessions.last();
    assertEquals(IdempotencyKeys.sessionId("dev", "create-1"), call.get(2));
    assertEquals(CreateMode.CREATE_OR_MATCH, call.get(5));
  }

  @Test
  void putOfASessionThatExistsAsAskedIs200() {
    sessions.created = false;

    api()
        .run(
            keyed(
                HttpRequest.PUT("/v1/sessions/s1").withEntity(ContentTypes.APPLICATION_JSON, "{}")))
        .assertStatusCode(StatusCodes.OK)
        .assertHeaderKindNotExists("Location");

    assertEquals(CreateMode.CREATE_OR_MATCH, sessions.last().get(5));
  }

  @Test
  void getReadsAndDeleteClosesTheSessionAsTheCaller() throws Exception {
    TestRouteResult read = api().run(keyed(HttpRequest.GET("/v1/sessions/s1")));
    read.assertStatusCode(StatusCodes.OK);
    assertEquals(List.of("get", "dev", "s1", DEV), sessions.last());
    assertEquals("idle", body(read).path("status").asText());

    api().run(keyed(HttpRequest.DELETE("/v1/sessions/s1"))).assertStatusCode(StatusCodes.OK);
    assertEquals(List.of("close", "dev", "s1", DEV), sessions.last());
  }

  @Test
  void aUserListsItsOwnSessionsAndAnOperatorTheTenants() {
    api()
        .run(keyed(HttpRequest.GET("/v1/sessions?status=running&limit=5")))
        .assertStatusCode(StatusCodes.OK);

    // The dev key is an operator: no owner filter.
    assertEquals(
        List.of("list", "dev", Optional.empty(), Optional.of("running"), 5, Optional.empty()),
        sessions.last());
  }

  @Test
  void theNodeHeaderNamesTheNodeTheSessionLastAnsweredFrom() {
    sessions.host = Optional.of("10.0.0.7:2551");

    api()
        .run(keyed(HttpRequest.GET("/v1/sessions/s1")))
        .assertHeaderExists(NodeHeader.NAME, "10.0.0.7:2551");
  }

  @Test
  void aPathIdThatIsNoSessionIdIsRefusedBeforeTheSessionsAreAsked() {
    api().run(keyed(HttpRequest.GET("/v1/sessions/no%20spaces"))).assertStatusCode(400);

    assertEquals(List.of(), sessions.calls);
  }

  static JsonNode body(TestRouteResult result) throws Exception {
    return Json.MAPPER.readTree(result.entityString());
  }
}
