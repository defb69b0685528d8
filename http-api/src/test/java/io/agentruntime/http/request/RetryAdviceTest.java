package io.agentruntime.http.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryAdviceTest {

  @ParameterizedTest(name = "safe={0} key={1} status={2} -> {3}")
  @CsvSource({
    // a write that may have landed, no key: a repeat would do it twice
    "false, false, 504, false",
    "false, false, 500, false",
    // with a key, a repeat answers the first outcome: the client's own rule
    "false, true, 504, ",
    "false, true, 500, ",
    // nothing was accepted, or nothing changed: the client's own rule
    "false, false, 503, ",
    "false, false, 429, ",
    "false, false, 409, ",
    "false, false, 202, ",
    "true, false, 504, ",
    "true, false, 500, ",
  })
  void advice(boolean safe, boolean key, int status, Boolean expected) {
    assertEquals(Optional.ofNullable(expected), RetryAdvice.of(safe, key, status));
  }
}
