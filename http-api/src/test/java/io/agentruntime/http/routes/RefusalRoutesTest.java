package io.agentruntime.http.routes;

import static io.agentruntime.http.routes.SessionRoutesTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionRefused;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * How a session's refusal, or its silence, reaches the client: the error mapper's status and code,
 * the request id, and nothing of the failure's insides.
 */
class RefusalRoutesTest extends RouteTesting {

  @Test
  void aSessionThatIsNotThereIs404WithItsCode() throws Exception {
    sessions.failure = new SessionRefused(Problem.notFound());

    TestRouteResult result =
        api()
            .run(
                keyed(HttpRequest.GET("/v1/sessions/s1"))
                    .addHeader(RawHeader.create("X-Request-Id", "req-404")));

    result.assertStatusCode(StatusCodes.NOT_FOUND);
    JsonNode error = body(result).path("error");
    assertEquals("session_not_found", error.path("code").asText());
    assertEquals("session not found", error.path("message").asText());
    assertEquals("req-404", error.path("requestId").asText());
  }

  @Test
  void eachKindOfRefusalHasItsStatus() {
    expect(Problem.conflict("turn_ended", "the turn has ended"), 409, "turn_ended");
    expect(Problem.invalid("url", "url: not allowed"), 400, "invalid_field");
    expect(
        new Problem(Problem.Kind.FORBIDDEN, "role_missing", "operators only", null),
        403,
        "role_missing");
    expect(new Problem(Problem.Kind.LIMIT, "queue_full", "too many", null), 429, "queue_full");
  }

  @Test
  void aSessionThatDoesNotAnswerIs503WithRetryAfter() throws Exception {
    sessions.failure =
        new TimeoutException("Ask timed out on [Actor[pekko://x/y]] after [10000 ms]");

    TestRouteResult result = api().run(keyed(HttpRequest.POST("/v1/sessions/s1/turns/t1/cancel")));

    result.assertStatusCode(StatusCodes.SERVICE_UNAVAILABLE);
    result.assertHeaderKindExists("Retry-After");
    assertFalse(result.entityString().contains("pekko://"), result.entityString());
  }

  private void expect(Problem problem, int status, String code) {
    sessions.failure = new SessionRefused(problem);
    String entity =
        api()
            .run(keyed(HttpRequest.POST("/v1/sessions/s1/turns/t1/cancel")))
            .assertStatusCode(status)
            .entityString();
    assertEquals(true, entity.contains("\"code\":\"" + code + "\""), entity);
  }
}
