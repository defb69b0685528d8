package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

import io.agentruntime.http.error.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code Idempotency-Key} headers, and the session ids the server chooses. */
final class IdempotencyKeys {

  private static final Pattern VISIBLE_ASCII = Pattern.compile("[\\x21-\\x7E]{1,200}");

  private IdempotencyKeys() {}

  /**
   * The route {@code inner} makes of the request's {@code Idempotency-Key} (checked; null when
   * there is none). Every write endpoint takes one (decision 0034).
   */
  static Route withKey(Function<String, Route> inner) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        header -> inner.apply(header.map(IdempotencyKeys::checked).orElse(null)));
  }

  static String checked(String key) {
    if (!VISIBLE_ASCII.matcher(key).matches()) {
      throw ApiError.invalidField("Idempotency-Key must be 1 to 200 visible ASCII characters");
    }
    return key;
  }

  /** A fresh server-chosen session id. */
  static String newSessionId() {
    return "s_" + UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * The session id of a POST without an id but with an idempotency key: the same for every retry by
   * the same user with the same key (the tenant is already part of the entity id).
   */
  static String sessionId(String user, String key) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((user + '\n' + key).getBytes(StandardCharsets.UTF_8));
      return "s_" + HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
