package io.agentruntime.http.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.agentruntime.runtime.session.OutcomeUnknown;
import io.agentruntime.runtime.session.Problem;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/** What each kind of failure becomes for the client. */
class ErrorMapperTest {

  private final ErrorMapper mapper = new ErrorMapper(Duration.ofSeconds(2), 1024);

  @Test
  void problemsOfTheSessionMapToTheirStatus() {
    assertEquals(404, ApiError.of(Problem.notFound()).status().intValue());
    assertEquals(409, ApiError.of(Problem.conflict("session_busy", "busy")).status().intValue());
    assertEquals(
        400,
        ApiError.of(Problem.invalid("agent.model", "agent.model must match")).status().intValue());
    ApiError tooLarge = ApiError.of(Problem.tooLarge("memory", "memory is over the limit"));
    assertEquals(413, tooLarge.status().intValue());
    assertEquals("too_large", tooLarge.code());
    assertEquals("memory is over the limit", tooLarge.getMessage());
  }

  @Test
  void anAskTimeoutIsStorageUnavailableWithRetryAfter() {
    ApiError e =
        mapper.toApiError(new CompletionException(new AskTimeoutException("no answer")), "r1");
    assertEquals(503, e.status().intValue());
    assertEquals("storage_unavailable", e.code());
    assertEquals("2", e.headers().get(0).value());
    assertEquals("Retry-After", e.headers().get(0).name());
  }

  @Test
  void anUnknownOutcomeIs504OutcomeUnknownWithRetryAfterNeverA503() {
    ApiError e =
        mapper.toApiError(
            new CompletionException(
                new OutcomeUnknown("the memory write", new AskTimeoutException("no answer"))),
            "r3");
    assertEquals(504, e.status().intValue());
    assertEquals("outcome_unknown", e.code());
    assertEquals("Retry-After", e.headers().get(0).name());
    assertFalse(e.getMessage().contains("nothing was accepted"), e.getMessage());
  }

  @Test
  void anEraseWhoseDeletionFailedIsNot503() {
    ApiError e =
        ApiError.of(
            new Problem(Problem.Kind.INCOMPLETE, "erase_incomplete", "erase it again", null));
    assertEquals(500, e.status().intValue());
    assertEquals("erase_incomplete", e.code());
  }

  @Test
  void aWritePastTheRequestTimeoutIs504AndAReadIs503() {
    assertEquals(504, mapper.requestTimedOut(HttpMethods.POST, "r4").status().intValue());
    assertEquals(503, mapper.requestTimedOut(HttpMethods.GET, "r5").status().intValue());
  }

  @Test
  void anythingUnexpectedIsAnInternalErrorThatRevealsNothing() {
    ApiError e = mapper.toApiError(new IllegalStateException("db password is hunter2"), "r2");
    assertEquals(500, e.status().intValue());
    assertEquals("internal", e.code());
    assertFalse(e.getMessage().contains("hunter2"));
    String body = ErrorMapper.response(e, "r2").entity().toString();
    assertFalse(body.contains("hunter2") || body.contains("IllegalStateException"), body);
  }
}
