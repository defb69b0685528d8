package io.agentruntime.runtime.approvals;

import io.agentruntime.runtime.directory.SessionSummary;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionRefused;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.SessionStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A tenant's pending approvals across its sessions (decision 0035). The session directory's status
 * listing (decision 0021) names the sessions that wait for a human (status {@code
 * awaiting_approval}, or {@code suspended}, which hides a wait), and each of those sessions is
 * asked for its own pending approvals, a few at a time: the rows come from the sessions themselves,
 * so a directory that lags can leave a row out for a moment but never shows one that is not
 * pending. The caller sees what it may see: an operator the whole tenant, anyone else the sessions
 * it owns.
 */
public final class TenantApprovals {

  /** The statuses under which a session can hold a pending approval. */
  static final List<String> WAITING_STATUSES =
      List.of(SessionStatus.AWAITING_APPROVAL.wireName(), SessionStatus.SUSPENDED.wireName());

  private final SessionService sessions;
  private final int directoryPageSize;
  private final int parallelism;

  /**
   * @param directoryPageSize how many sessions one directory read returns
   * @param parallelism how many sessions are asked at once
   */
  public TenantApprovals(SessionService sessions, int directoryPageSize, int parallelism) {
    this.sessions = sessions;
    this.directoryPageSize = directoryPageSize;
    this.parallelism = parallelism;
  }

  /**
   * One page of the pending approvals {@code caller} may see, oldest first, after {@code after}.
   */
  public CompletionStage<ApprovalPage> pending(
      String tenant, Caller caller, Optional<ApprovalPages.Position> after, int limit) {
    Optional<String> owner = caller.operator() ? Optional.empty() : Optional.of(caller.user());
    CompletionStage<List<String>> ids = CompletableFuture.completedFuture(new ArrayList<>());
    for (String status : WAITING_STATUSES) {
      ids =
          ids.thenCompose(found -> waitingSessions(tenant, owner, status, Optional.empty(), found));
    }
    return ids.thenCompose(found -> approvalsOf(tenant, caller, found, 0, new ArrayList<>()))
        .thenApply(rows -> ApprovalPages.page(rows, after, limit));
  }

  private CompletionStage<List<String>> waitingSessions(
      String tenant,
      Optional<String> owner,
      String status,
      Optional<String> cursor,
      List<String> found) {
    return sessions
        .list(tenant, owner, Optional.of(status), directoryPageSize, cursor)
        .thenCompose(
            page -> {
              page.sessions().stream().map(SessionSummary::sessionId).forEach(found::add);
              return page.nextCursor().isEmpty() || page.sessions().isEmpty()
                  ? CompletableFuture.completedFuture(found)
                  : waitingSessions(tenant, owner, status, page.nextCursor(), found);
            });
  }

  /** Asks the sessions from {@code from} on, {@code parallelism} at a time. */
  private CompletionStage<List<PendingApproval>> approvalsOf(
      String tenant, Caller caller, List<String> ids, int from, List<PendingApproval> rows) {
    if (from >= ids.size()) {
      return CompletableFuture.completedFuture(rows);
    }
    List<CompletableFuture<List<PendingApproval>>> batch =
        ids.subList(from, Math.min(ids.size(), from + parallelism)).stream()
            .map(id -> pendingOf(tenant, caller, id).toCompletableFuture())
            .toList();
    return CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new))
        .thenCompose(
            done -> {
              batch.forEach(f -> rows.addAll(f.join()));
              return approvalsOf(tenant, caller, ids, from + parallelism, rows);
            });
  }

  private CompletionStage<List<PendingApproval>> pendingOf(
      String tenant, Caller caller, String sessionId) {
    return sessions
        .approvals(tenant, sessionId, caller)
        .thenApply(
            approvals ->
                approvals.stream()
                    .filter(Approval::pending)
                    .map(a -> new PendingApproval(sessionId, a))
                    .toList())
        .exceptionally(
            failure -> {
              // Erased, or no longer the caller's, since the directory listed it: nothing to show.
              if (cause(failure) instanceof SessionRefused refused
                  && refused.problem().kind() == Problem.Kind.NOT_FOUND) {
                return List.of();
              }
              throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            });
  }

  private static Throwable cause(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
