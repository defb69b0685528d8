package io.agentruntime.http;

import io.agentruntime.runtime.session.SessionEntity;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;

/** What a test node's in-memory journal and snapshot store hold for one session. */
final class JournalOf {

  private final PersistenceTestKit journal;
  private final SnapshotTestKit snapshots;

  JournalOf(ActorSystem<?> system) {
    this.journal = PersistenceTestKit.create(system);
    this.snapshots = SnapshotTestKit.create(system);
  }

  /** What the tenant's vault entity journaled, as text: equal texts mean nothing was written. */
  String vaults(String tenant) {
    String pid = PersistenceId.of("TenantVaults", tenant).id();
    return "events " + journal.persistedInStorage(pid);
  }

  /** The session's events and snapshots, as text: equal texts mean nothing was written. */
  String session(String tenant, String sessionId) {
    String pid =
        PersistenceId.of(SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(tenant, sessionId))
            .id();
    List<Object> events = journal.persistedInStorage(pid);
    return "events "
        + events
        + "\nsnapshots "
        + snapshots.persistedInStorage(pid).stream().map(p -> p.second()).toList();
  }

  /** The tenant's webhook outbox's events, as text. */
  String webhooks(String tenant) {
    return journal
        .persistedInStorage(
            PersistenceId.of(io.agentruntime.runtime.webhooks.WebhookEntity.TYPE_KEY.name(), tenant)
                .id())
        .toString();
  }
}
