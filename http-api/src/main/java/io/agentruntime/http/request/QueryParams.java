package io.agentruntime.http.request;

import io.agentruntime.http.error.ApiError;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the query parameters the API knows; a malformed one is a 400 naming it. */
public final class QueryParams {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

  private QueryParams() {}

  /** {@code ?waitSeconds=N}: none is zero, above {@code max} counts as {@code max}. */
  public static Duration waitSeconds(Optional<String> raw, Duration max) {
    return raw.map(
            v -> {
              if (!DIGITS.matcher(v).matches()) {
                throw ApiError.invalidField(
                    "waitSeconds must be a non-negative integer number of seconds");
              }
              long seconds = Long.parseLong(v);
              return seconds >= max.toSeconds() ? max : Duration.ofSeconds(seconds);
            })
        .orElse(Duration.ZERO);
  }

  /** {@code ?limit=N}: none is {@code defaultLimit}, above {@code max} counts as {@code max}. */
  public static int limit(Optional<String> raw, int defaultLimit, int max) {
    return raw.map(
            v -> {
              if (!DIGITS.matcher(v).matches() || Long.parseLong(v) < 1) {
                throw ApiError.invalidField("limit must be a positive integer");
              }
              return (int) Math.min(Long.parseLong(v), max);
            })
        .orElse(defaultLimit);
  }

  /**
   * The id of the last event a client saw ({@code Last-Event-ID}, or {@code ?after=}, as {@code
   * name} says): none is 0, which is before the first event.
   */
  public static long eventId(Optional<String> raw, String name) {
    return raw.map(
            v -> {
              if (!DIGITS.matcher(v).matches()) {
                throw ApiError.invalidField(
                    name + " must be a non-negative integer: the id of an event");
              }
              return Long.parseLong(v);
            })
        .orElse(0L);
  }

  /** A cursor is opaque; an empty one is none. */
  public static Optional<String> cursor(Optional<String> raw) {
    return raw.filter(c -> !c.isEmpty())
        .map(
            c -> {
              if (c.length() > 256) {
                throw ApiError.invalidField("cursor", "cursor is not a cursor this API gave out");
              }
              return c;
            });
  }
}
