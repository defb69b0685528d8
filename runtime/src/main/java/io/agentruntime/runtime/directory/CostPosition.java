package io.agentruntime.runtime.directory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a session stands in the listing by cost: most expensive first, and among sessions that cost
 * the same, session id descending (the order one slice of the table reads in). Its {@link
 * #cursor()} is the {@code nextCursor} of that listing: the position of the last session of a page,
 * from which the next page goes on.
 */
public record CostPosition(BigDecimal costUsd, String sessionId) {

  /** The listing's order: cost descending, then session id descending. */
  public static final Comparator<CostPosition> ORDER =
      Comparator.comparing(CostPosition::costUsd).thenComparing(CostPosition::sessionId).reversed();

  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** A non-negative plain decimal, at most 40 characters with its point. */
  private static final Pattern AMOUNT = Pattern.compile("[0-9]{1,30}(\\.[0-9]{1,30})?");

  private static final int MAX_AMOUNT_CHARS = 40;

  private static final char SEPARATOR = '~';

  public CostPosition {
    costUsd = ListedUsage.normalized(costUsd);
  }

  public static CostPosition of(SessionSummary s) {
    return new CostPosition(s.usage().costUsd(), s.sessionId());
  }

  /** Whether this position comes after {@code other} in the listing (a page after it shows it). */
  public boolean comesAfter(CostPosition other) {
    return ORDER.compare(this, other) > 0;
  }

  /** The cursor that goes on after this position: opaque to clients, URL-safe. */
  public String cursor() {
    String plain = costUsd.toPlainString() + SEPARATOR + sessionId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  /** The position a cursor of {@link #cursor()} names; empty for anything else. */
  public static Optional<CostPosition> fromCursor(String cursor) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > 256) {
      return Optional.empty();
    }
    String plain;
    try {
      plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException notBase64) {
      return Optional.empty();
    }
    int at = plain.indexOf(SEPARATOR);
    if (at < 0) {
      return Optional.empty();
    }
    String amount = plain.substring(0, at);
    String id = plain.substring(at + 1);
    if (amount.length() > MAX_AMOUNT_CHARS
        || !AMOUNT.matcher(amount).matches()
        || !SESSION_ID.matcher(id).matches()) {
      return Optional.empty();
    }
    return Optional.of(new CostPosition(new BigDecimal(amount), id));
  }
}
