package io.agentruntime.runtime.approvals;

import io.agentruntime.runtime.session.LifecycleFeed;
import io.agentruntime.runtime.session.LifecycleNotice;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * The live approvals of each tenant, across the cluster (decision 0036): sessions hand their
 * approval events here as they hand them to the webhooks' outbox, and each is published on the
 * tenant's topic; a follower ({@code GET /v1/approvals/events}) subscribes to it. Nothing is
 * stored: a follower that was away reads the listing again.
 */
public final class ApprovalFeed implements Extension, LifecycleFeed {

  /** What a follower is sent: the approval events, not the turns' or the lifecycle's. */
  static final Set<String> TYPES =
      Set.of(
          LifecycleNotice.APPROVAL_REQUESTED,
          LifecycleNotice.APPROVAL_DECIDED,
          LifecycleNotice.APPROVAL_EXPIRED);

  /** Events a slow follower may fall behind by; past it, its stream fails (it reloads). */
  static final int BUFFER = 256;

  public static final class Id extends ExtensionId<ApprovalFeed> {
    @Override
    public ApprovalFeed createExtension(ActorSystem<?> system) {
      return new ApprovalFeed(system);
    }
  }

  private static final Id ID = new Id();

  public static ApprovalFeed get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, ActorRef<Topic.Command<LifecycleNotice>>> topics =
      new ConcurrentHashMap<>();

  private ApprovalFeed(ActorSystem<?> system) {
    this.system = system;
  }

  @Override
  public void notice(String tenant, LifecycleNotice notice) {
    if (TYPES.contains(notice.type())) {
      topic(tenant).tell(Topic.publish(notice));
    }
  }

  /** Live only: a change offered again by a recovery is not news to a follower. */
  @Override
  public void again(String tenant, LifecycleNotice notice) {}

  @Override
  public boolean mayListen(String tenant) {
    return false;
  }

  /** The tenant's approval events from now on, live, until the stream is cancelled. */
  public Source<LifecycleNotice, NotUsed> follow(String tenant) {
    return ActorSource.<LifecycleNotice>actorRef(
            m -> false, m -> Optional.empty(), BUFFER, OverflowStrategy.fail())
        .mapMaterializedValue(
            ref -> {
              // The topic watches its subscribers: a stream that ends leaves it.
              topic(tenant).tell(Topic.subscribe(ref));
              return NotUsed.getInstance();
            });
  }

  private ActorRef<Topic.Command<LifecycleNotice>> topic(String tenant) {
    return topics.computeIfAbsent(
        tenant,
        t -> {
          String name = "approvals-" + URLEncoder.encode(t, StandardCharsets.UTF_8);
          return system.systemActorOf(
              Topic.create(LifecycleNotice.class, name), name, Props.empty());
        });
  }
}
