package io.agentruntime.runtime.approvals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Orders and pages a tenant's pending approvals (pure): oldest first by {@code requestedAt}, then
 * by approval id (then session id, so that the order is total). A cursor is the position of the
 * last row a page showed; the next page starts after it, so a row decided in between shifts nothing
 * and a row asked later lands after the rows already seen.
 */
public final class ApprovalPages {

  /** Where a page ended: the sort key of its last row. */
  public record Position(Instant requestedAt, String approvalId, String sessionId) {

    static Position of(PendingApproval row) {
      return new Position(row.approval().requestedAt(), row.approval().id(), row.sessionId());
    }

    /** The opaque cursor a client sends back as {@code after}. */
    public String cursor() {
      String raw =
          requestedAt.getEpochSecond()
              + "\n"
              + requestedAt.getNano()
              + "\n"
              + approvalId
              + "\n"
              + sessionId;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor names; empty when it is not a cursor this listing gave out. */
    public static Optional<Position> parse(String cursor) {
      try {
        String[] parts =
            new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                .split("\n", -1);
        if (parts.length != 4
            || !ID.matcher(parts[2]).matches()
            || !ID.matcher(parts[3]).matches()) {
          return Optional.empty();
        }
        Position p =
            new Position(
                Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])),
                parts[2],
                parts[3]);
        // Only the exact text this listing gives out: no second spelling of a position.
        return p.cursor().equals(cursor) ? Optional.of(p) : Optional.empty();
      } catch (IllegalArgumentException | java.time.DateTimeException e) {
        return Optional.empty();
      }
    }
  }

  /** What session and approval ids are made of. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  static final Comparator<Position> ORDER =
      Comparator.comparing(Position::requestedAt)
          .thenComparing(Position::approvalId)
          .thenComparing(Position::sessionId);

  private ApprovalPages() {}

  /** The {@code limit} oldest pending rows after {@code after}, and the cursor of the next page. */
  public static ApprovalPage page(
      Collection<PendingApproval> rows, Optional<Position> after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    List<PendingApproval> sorted =
        rows.stream()
            .filter(r -> r.approval().pending())
            .filter(r -> after.map(a -> ORDER.compare(Position.of(r), a) > 0).orElse(true))
            .sorted(Comparator.comparing(Position::of, ORDER))
            .limit(limit + 1L)
            .toList();
    if (sorted.size() <= limit) {
      return new ApprovalPage(sorted, Optional.empty());
    }
    List<PendingApproval> page = sorted.subList(0, limit);
    return new ApprovalPage(page, Optional.of(Position.of(page.get(limit - 1)).cursor()));
  }
}
