package io.agentruntime.runtime.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.runtime.session.Approval;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApprovalPagesTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private static PendingApproval row(String session, String id, long second, String status) {
    return new PendingApproval(
        session,
        new Approval(
            id,
            "turn_1",
            "call_" + id,
            "send_email",
            null,
            Approval.POLICY,
            T0.plusSeconds(second),
            T0.plusSeconds(second + 600),
            status,
            null,
            null,
            null,
            null));
  }

  private static PendingApproval pending(String session, String id, long second) {
    return row(session, id, second, Approval.PENDING);
  }

  private static final List<PendingApproval> ROWS =
      List.of(
          pending("s2", "appr_b", 5),
          pending("s1", "appr_a", 9),
          pending("s3", "appr_c", 1),
          pending("s1", "appr_d", 5),
          row("s1", "appr_x", 0, "granted"),
          row("s2", "appr_y", 2, "expired"));

  static Stream<Arguments> pages() {
    return Stream.of(
        // limit, expected ids in order on the first page, whether there is a next page
        Arguments.of(20, List.of("appr_c", "appr_b", "appr_d", "appr_a"), false),
        Arguments.of(4, List.of("appr_c", "appr_b", "appr_d", "appr_a"), false),
        Arguments.of(3, List.of("appr_c", "appr_b", "appr_d"), true),
        Arguments.of(1, List.of("appr_c"), true));
  }

  @ParameterizedTest
  @MethodSource("pages")
  void oldestFirstThenByIdAndOnlyPending(int limit, List<String> ids, boolean more) {
    ApprovalPage page = ApprovalPages.page(ROWS, Optional.empty(), limit);
    assertEquals(ids, page.rows().stream().map(r -> r.approval().id()).toList());
    assertEquals(more, page.nextCursor().isPresent());
  }

  @Test
  void followingTheCursorsShowsEveryPendingRowOnce() {
    List<String> seen = new ArrayList<>();
    Optional<ApprovalPages.Position> after = Optional.empty();
    for (int i = 0; i < 10; i++) {
      ApprovalPage page = ApprovalPages.page(ROWS, after, 1);
      page.rows().forEach(r -> seen.add(r.approval().id()));
      if (page.nextCursor().isEmpty()) {
        break;
      }
      after = ApprovalPages.Position.parse(page.nextCursor().get());
      assertTrue(after.isPresent());
    }
    assertEquals(List.of("appr_c", "appr_b", "appr_d", "appr_a"), seen);
  }

  @Test
  void aRowDecidedOrAddedBetweenPagesShiftsNothingAlreadySeen() {
    ApprovalPage first = ApprovalPages.page(ROWS, Optional.empty(), 2);
    List<PendingApproval> later = new ArrayList<>(ROWS);
    later.remove(pending("s1", "appr_d", 5)); // decided elsewhere meanwhile
    later.add(pending("s9", "appr_z", 30)); // asked meanwhile
    ApprovalPage second =
        ApprovalPages.page(
            later, ApprovalPages.Position.parse(first.nextCursor().orElseThrow()), 2);
    assertEquals(
        List.of("appr_a", "appr_z"), second.rows().stream().map(r -> r.approval().id()).toList());
  }

  @Test
  void aCursorSurvivesItsRoundTripAndGarbageIsNone() {
    ApprovalPages.Position p = new ApprovalPages.Position(T0.plusNanos(123), "appr_q", "session-1");
    assertEquals(Optional.of(p), ApprovalPages.Position.parse(p.cursor()));
    for (String bad : List.of("x", "%%%", "bm90IGEgY3Vyc29y", p.cursor() + "A", "")) {
      assertEquals(Optional.empty(), ApprovalPages.Position.parse(bad), bad);
    }
  }

  @Test
  void aLimitBelowOneIsABug() {
    assertThrows(
        IllegalArgumentException.class, () -> ApprovalPages.page(ROWS, Optional.empty(), 0));
  }
}
