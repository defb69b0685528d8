package io.agentruntime.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What is left of a text that echoes a secret, whichever form the echo took and wherever a cut went
 * through it (the MCP client cuts its excerpts before the last redaction runs).
 */
class EchoedSecretsTest {

  private static final Optional<String> SECRET = Optional.of("tok  \"en\\42");

  /**
   * The text, and what is left of it ({@code S} stands for the secret, {@code J} for it
   * JSON-escaped).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bad token S here       | bad token [redacted] here",
        "{\"token\": \"J\"}      | {\"token\": \"[redacted]\"}",
        "collapsed tok \"en\\42 | collapsed [redacted]",
        "cut at the end tok  \"e | cut at the end [redacted]",
        "an excerpt cut tok  ... | an excerpt cut [redacted]...",
        "an escaped cut tok  \\\"e | an escaped cut [redacted]",
        "too short to tell to    | too short to tell to",
        "nothing of it           | nothing of it",
      })
  void theSecretIsTakenOutInEveryForm(String text, String expected) {
    String secret = SECRET.get();
    String escaped = "tok  \\\"en\\\\42";
    String echoed = text.replace("S", secret).replace("J", escaped);

    assertEquals(expected, EchoedSecrets.text(echoed, SECRET));
  }
}
