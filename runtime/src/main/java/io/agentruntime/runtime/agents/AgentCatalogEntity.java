package io.agentruntime.runtime.agents;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.Problem;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One tenant's saved agents, durable: a sharded, event-sourced entity per tenant (entity id: the
 * tenant) on the sessions' journal, like the tenant policy (decisions 0018, 0026). It holds at most
 * {@code maxAgents}; a page it answers holds at most {@code pageBytes} of agents, so that it
 * crosses the cluster in one message. Whether an agent's content is valid is checked before (by
 * {@link AgentCatalog}); the entity keeps it.
 */
public final class AgentCatalogEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        AgentCatalogEntity.Command, AgentEvent, AgentCatalogState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "AgentCatalog");

  public sealed interface Command extends CborSerializable {}

  /** Saves a new agent; refused when the id is taken or the tenant holds as many as it may. */
  public record Create(SavedAgent agent, String by, ActorRef<AgentReply> replyTo)
      implements Command {}

  /** Replaces an existing agent (NOT_FOUND when there is none). */
  public record Replace(SavedAgent agent, String by, ActorRef<AgentReply> replyTo)
      implements Command {}

  public record Delete(String id, String by, ActorRef<AgentReply> replyTo) implements Command {}

  public record Get(String id, ActorRef<AgentReply> replyTo) implements Command {}

  /** At most {@code limit} agents after the one named {@code after} (null: from the start). */
  public record Page(String after, int limit, boolean newestFirst, ActorRef<AgentReply> replyTo)
      implements Command {}

  public static Behavior<Command> create(
      String tenant, Clock clock, int maxAgents, long pageBytes) {
    return new AgentCatalogEntity(tenant, clock, maxAgents, pageBytes);
  }

  private final Clock clock;
  private final int maxAgents;
  private final long pageBytes;

  private AgentCatalogEntity(String tenant, Clock clock, int maxAgents, long pageBytes) {
    super(
        PersistenceId.of(TYPE_KEY.name(), tenant),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.clock = clock;
    this.maxAgents = maxAgents;
    this.pageBytes = pageBytes;
  }

  static Problem notFound() {
    return new Problem(Problem.Kind.NOT_FOUND, "agent_not_found", "agent not found", null);
  }

  @Override
  public AgentCatalogState emptyState() {
    return AgentCatalogState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Recovery reads a snapshot and at most 100 events, however long the tenant has had agents.
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, AgentEvent, AgentCatalogState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Replace.class, this::onReplace)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Get.class, this::onGet)
        .onCommand(Page.class, this::onPage)
        .build();
  }

  private ReplyEffect<AgentEvent, AgentCatalogState> onCreate(AgentCatalogState s, Create c) {
    if (s.agents().containsKey(c.agent().id())) {
      return refuse(
          c.replyTo(), new Problem(Problem.Kind.CONFLICT, "agent_exists", "agent exists", null));
    }
    if (s.agents().size() >= maxAgents) {
      return refuse(
          c.replyTo(),
          new Problem(
              // A 400, not a 429: retrying does not help, and the SDKs retry a 429.
              Problem.Kind.INVALID,
              "too_many_agents",
              "this tenant holds "
                  + maxAgents
                  + " agents, as many as it may; delete one before creating another",
              null));
    }
    return Effect()
        .persist(new AgentEvent.AgentSaved(c.agent(), c.by()))
        .thenReply(c.replyTo(), next -> new AgentReply.Found(c.agent()));
  }

  private ReplyEffect<AgentEvent, AgentCatalogState> onReplace(AgentCatalogState s, Replace c) {
    if (!s.agents().containsKey(c.agent().id())) {
      return refuse(c.replyTo(), notFound());
    }
    return Effect()
        .persist(new AgentEvent.AgentSaved(c.agent(), c.by()))
        .thenReply(c.replyTo(), next -> new AgentReply.Found(c.agent()));
  }

  private ReplyEffect<AgentEvent, AgentCatalogState> onDelete(AgentCatalogState s, Delete c) {
    if (!s.agents().containsKey(c.id())) {
      return refuse(c.replyTo(), notFound());
    }
    return Effect()
        .persist(new AgentEvent.AgentDeleted(c.id(), c.by(), clock.instant()))
        .thenReply(c.replyTo(), next -> new AgentReply.Deleted(c.id()));
  }

  private ReplyEffect<AgentEvent, AgentCatalogState> onGet(AgentCatalogState s, Get c) {
    SavedAgent agent = s.agents().get(c.id());
    return Effect()
        .reply(c.replyTo(), agent == null ? new AgentReply.Refused(notFound()) : found(agent));
  }

  private static AgentReply found(SavedAgent agent) {
    return new AgentReply.Found(agent);
  }

  private ReplyEffect<AgentEvent, AgentCatalogState> onPage(AgentCatalogState s, Page c) {
    List<SavedAgent> ordered = new ArrayList<>(s.inCreationOrder());
    if (c.newestFirst()) {
      java.util.Collections.reverse(ordered);
    }
    return Effect().reply(c.replyTo(), AgentPages.page(ordered, c.after(), c.limit(), pageBytes));
  }

  private ReplyEffect<AgentEvent, AgentCatalogState> refuse(
      ActorRef<AgentReply> replyTo, Problem problem) {
    return Effect().reply(replyTo, new AgentReply.Refused(problem));
  }

  @Override
  public EventHandler<AgentCatalogState, AgentEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(AgentCatalogState::apply);
  }
}
