package io.agentruntime.http.routes;

import static io.agentruntime.http.routes.SessionRoutesTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.TurnStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/sessions/{id}/messages} and {@code /turns} over a stub: the wait and the idempotency
 * key reach the sessions as given, and the status code says whether the turn settled.
 */
class MessageRoutesTest extends RouteTesting {

  private static HttpRequest message(String uri, String json) {
    return keyed(HttpRequest.POST(uri).withEntity(ContentTypes.APPLICATION_JSON, json));
  }

  @Test
  void aTurnThatSettledWithinWaitSecondsIs200WithTheTurn() throws Exception {
    TestRouteResult result =
        api()
            .run(
                message("/v1/sessions/s1/messages?waitSeconds=30", "{\"content\": \"hello\"}")
                    .addHeader(RawHeader.create("Idempotency-Key", "msg-1")));

    result.assertStatusCode(StatusCodes.OK);
    assertEquals(
        List.of("send", "dev", "s1", DEV, "hello", OnBusy.QUEUE, "msg-1", Duration.ofSeconds(30)),
        sessions.last());
    assertEquals("turn_1", body(result).path("turnId").asText());
    assertEquals("completed", body(result).path("status").asText());
    assertEquals("done", body(result).path("output").asText());
  }

  @Test
  void withoutAWaitTheMessageIsAccepted202() throws Exception {
    sessions.turn = StubSessions.turn("turn_2", TurnStatus.QUEUED, null);

    TestRouteResult result =
        api()
            .run(
                message(
                    "/v1/sessions/s1/messages", "{\"content\": \"hi\", \"onBusy\": \"reject\"}"));

    result.assertStatusCode(StatusCodes.ACCEPTED);
    assertEquals(
        Arrays.asList("send", "dev", "s1", DEV, "hi", OnBusy.REJECT, null, Duration.ZERO),
        sessions.last());
    assertEquals("turn_2", body(result).path("turnId").asText());
    assertEquals("queued", body(result).path("status").asText());
  }

  @Test
  void aTurnStillRunningWhenTheWaitIsOverIs202() {
    sessions.turn = StubSessions.turn("turn_3", TurnStatus.RUNNING, null);

    api()
        .run(message("/v1/sessions/s1/messages?waitSeconds=2", "{\"content\": \"slow\"}"))
        .assertStatusCode(StatusCodes.ACCEPTED);
  }

  @Test
  void aWaitAboveTheMaximumCountsAsTheMaximum() {
    api()
        .run(message("/v1/sessions/s1/messages?waitSeconds=3600", "{\"content\": \"x\"}"))
        .assertStatusCode(StatusCodes.OK);

    assertEquals(Duration.ofSeconds(60), sessions.last().get(7));
  }

  @Test
  void aBadIdempotencyKeyOrWaitIsRefusedBeforeTheSessionsAreAsked() {
    api()
        .run(
            message("/v1/sessions/s1/messages", "{\"content\": \"x\"}")
                .addHeader(RawHeader.create("Idempotency-Key", "")))
        .assertStatusCode(StatusCodes.BAD_REQUEST);
    api()
        .run(message("/v1/sessions/s1/messages?waitSeconds=soon", "{\"content\": \"x\"}"))
        .assertStatusCode(StatusCodes.BAD_REQUEST);

    assertEquals(List.of(), sessions.calls);
  }

  @Test
  void getOfATurnWaitsForItWhenAsked() {
    sessions.turn = StubSessions.turn("turn_4", TurnStatus.RUNNING, null);

    api()
        .run(keyed(HttpRequest.GET("/v1/sessions/s1/turns/turn_4?waitSeconds=5")))
        .assertStatusCode(StatusCodes.OK);

    assertEquals(List.of("getTurn", "dev", "s1", DEV, "turn_4"), sessions.calls.get(0));
    assertEquals(
        List.of("awaitTurn", "dev", "s1", DEV, sessions.turn, Duration.ofSeconds(5)),
        sessions.calls.get(1));
  }

  @Test
  void theTranscriptIsReadAsTheCallerAPageAtATime() {
    api()
        .run(keyed(HttpRequest.GET("/v1/sessions/s1/messages")))
        .assertStatusCode(StatusCodes.OK)
        .assertEntity("{\"messages\":[],\"nextAfter\":null}");
    assertEquals(List.of("transcript", "dev", "s1", DEV, 0L, 100), sessions.last());

    sessions.transcript = new SessionReply.TranscriptFound(List.of(), 41L);
    api()
        .run(keyed(HttpRequest.GET("/v1/sessions/s1/messages?after=7&limit=5000")))
        .assertStatusCode(StatusCodes.OK)
        .assertEntity("{\"messages\":[],\"nextAfter\":41}");
    assertEquals(
        List.of("transcript", "dev", "s1", DEV, 7L, 1000),
        sessions.last(),
        "a limit above the most counts as the most");
  }

  @Test
  void badPagingParametersAre400NamingTheParameter() {
    for (String query : List.of("after=-1", "after=x", "limit=0", "limit=-3", "limit=ten")) {
      String body =
          api()
              .run(keyed(HttpRequest.GET("/v1/sessions/s1/messages?" + query)))
              .assertStatusCode(StatusCodes.BAD_REQUEST)
              .entityString();
      String parameter = query.substring(0, query.indexOf('='));
      assertTrue(body.contains("\"invalid_field\""), body);
      assertTrue(body.contains(parameter + " must"), query + ": " + body);
    }
    assertEquals(List.of(), sessions.calls, "nothing was asked of the session");
  }
}
