package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionEvent.MemoryDeleted;
import io.agentruntime.runtime.session.SessionEvent.MemoryWritten;
import io.agentruntime.runtime.session.SessionEvent.PermissionsChanged;
import io.agentruntime.runtime.session.SessionEvent.SessionClosed;
import io.agentruntime.runtime.session.SessionEvent.SessionCreated;
import io.agentruntime.runtime.session.SessionEvent.SessionErased;
import io.agentruntime.runtime.session.SessionEvent.SessionResumed;
import io.agentruntime.runtime.session.SessionEvent.SessionSuspended;
import io.agentruntime.runtime.session.SessionEvent.SessionUpdated;
import io.agentruntime.runtime.session.SessionEvent.ToolConnected;
import io.agentruntime.runtime.session.SessionEvent.ToolDisconnected;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The session's lifecycle rules, as pure decisions: create, close, suspend, resume, terminate,
 * erase, and the edits of memory, tools and permissions. Each returns the events to persist, a
 * refusal, or nothing to do (a no-op that answers the session as it is). Who may see the session at
 * all is decided before, by its phase; whether it must still be open, and who may operate it, is
 * decided here.
 */
final class SessionRules {

  private final SessionSettings settings;
  private final SessionValidation validation;
  private final TurnMachine turns;
  private final Supplier<Set<String>> models;
  private final Function<ToolConnection, Optional<String>> hostRefusal;

  /**
   * @param models the names of the model providers of this server (none: any name is taken)
   * @param hostRefusal why a tool's host may not be called, if it may not
   */
  SessionRules(
      SessionSettings settings,
      TurnMachine turns,
      Supplier<Set<String>> models,
      Function<ToolConnection, Optional<String>> hostRefusal) {
    this.settings = settings;
    this.validation = new SessionValidation(settings);
    this.turns = turns;
    this.models = models;
    // A function tool is run by the client: the runtime never calls a host for it.
    this.hostRefusal =
        tool ->
            tool instanceof ToolConnection.Function ? Optional.empty() : hostRefusal.apply(tool);
  }

  /**
   * Creates the session for {@code tenant}. An identical create of the same owner (PUT) is nothing
   * to do; an erased id is never used again.
   */
  Decision create(
      SessionState s,
      String tenant,
      String sessionId,
      Caller caller,
      SessionSpec asked,
      CreateMode mode,
      Instant now) {
    SessionSpec spec = withDefaultLimits(asked);
    if (s.erased()) {
      return Decision.refuse(Problem.conflict("session_erased", erasedMessage(sessionId)));
    }
    if (s.exists()) {
      boolean sameRequest =
          mode == CreateMode.CREATE_OR_MATCH
              && s.owner().user().equals(caller.user())
              && s.createdWith().asAsked().equals(spec.asAsked());
      return sameRequest
          ? Decision.none()
          : Decision.refuse(
              Problem.conflict(
                  "session_exists", "a different session exists under id " + sessionId));
    }
    Optional<Problem> problem =
        validation
            .spec(spec)
            .or(() -> unknownModel(spec.agent()))
            .or(() -> refusedHost(spec.tools()))
            // Held twice: as created, and as the state it starts from.
            .or(
                () ->
                    tooLarge(
                        0,
                        2 * SessionSize.of(spec),
                        "the session",
                        SessionSize.memory(spec.memory()) > SessionSize.of(spec) / 2
                            ? "memory"
                            : "tools"));
    return problem
        .map(Decision::refuse)
        .orElseGet(
            () -> Decision.of(new SessionCreated(new Owner(tenant, caller.user()), spec, now)));
  }

  /** Closes the session; its unfinished turns end as cancelled, for {@code reason}. */
  Decision close(SessionState s, Caller caller, String reason, Instant now) {
    if (s.closed()) {
      return Decision.none();
    }
    EventBatch b = new EventBatch(s);
    turns.endAll(b, reason, caller.user(), now);
    b.add(new SessionClosed(caller.user(), now));
    return Decision.of(b);
  }

  /** An operator closes the session, whatever runs in it. */
  Decision terminate(SessionState s, Caller caller, Instant now) {
    return operator(caller)
        .orElseGet(() -> close(s, caller, "the session was terminated by " + caller.user(), now));
  }

  /** An operator stops the session's work where it stands; a no-op when suspended already. */
  Decision suspend(SessionState s, Caller caller, String reason, Instant now) {
    return operator(caller)
        .or(() -> refuseIfClosed(s))
        .orElseGet(
            () ->
                s.suspended()
                    ? Decision.none()
                    : Decision.of(new SessionSuspended(caller.user(), reason, now)));
  }

  /** An operator lets the work go on where it stood; a no-op unless suspended. */
  Decision resume(SessionState s, Caller caller, Instant now) {
    return operator(caller)
        .or(() -> refuseIfClosed(s))
        .orElseGet(
            () -> {
              if (!s.suspended()) {
                return Decision.none();
              }
              EventBatch b = new EventBatch(s);
              b.add(new SessionResumed(caller.user(), now));
              turns.startNextTurn(b, now);
              return Decision.of(b);
            });
  }

  /**
   * An operator erases the session: the tombstone is journaled first, so that from then on the id
   * is refused, whatever happens to the deletion of the rest.
   */
  Decision erase(SessionState s, Caller caller, Instant now) {
    return operator(caller)
        .orElseGet(() -> Decision.of(new SessionErased(s.lastSeq() + 1, caller.user(), now)));
  }

  Decision writeMemory(SessionState s, Caller caller, String key, JsonNode value, Instant now) {
    return refuseIfClosed(s)
        .or(() -> validation.memoryEntry(key, value, "memory.").map(Decision::refuse))
        .orElseGet(
            () ->
                !s.memory().containsKey(key) && s.memory().size() >= settings.maxMemoryEntries()
                    ? Decision.refuse(
                        Problem.tooLarge(
                            "memory",
                            "memory is full: " + settings.maxMemoryEntries() + " entries"))
                    : tooLarge(
                            s,
                            SessionSize.text(key)
                                + SessionSize.of(value)
                                - (s.memory().containsKey(key)
                                    ? SessionSize.text(key) + SessionSize.of(s.memory().get(key))
                                    : 0),
                            "the value",
                            "value")
                        .map(Decision::refuse)
                        .orElseGet(
                            () -> Decision.of(new MemoryWritten(key, value, caller.user(), now))));
  }

  /**
   * Why a running turn may not grow the session any further (journal the model's next reply), if
   * the session is past max-session-size already: what one step adds (a model reply, its tool
   * results) is the room between that bound and Cassandra's mutation limit.
   */
  Optional<Problem> full(SessionState s) {
    long size = SessionSize.of(s);
    if (size <= settings.maxSessionBytes()) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            Problem.Kind.TOO_LARGE,
            "session_too_large",
            "the session holds about "
                + size
                + " bytes, more than the "
                + settings.maxSessionBytes()
                + " it may hold (agent-runtime.session.max-session-size); the turn ends here",
            null));
  }

  /**
   * A refusal when {@code adding} bytes (as {@link SessionSize} counts them) would take the session
   * past max-session-size; {@code what} and {@code field} name what was asked for.
   */
  Optional<Problem> tooLarge(SessionState s, long adding, String what, String field) {
    return tooLarge(SessionSize.of(s), adding, what, field);
  }

  private Optional<Problem> tooLarge(long size, long adding, String what, String field) {
    if (adding <= 0 || size + adding <= settings.maxSessionBytes()) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            Problem.Kind.TOO_LARGE,
            "session_too_large",
            field
                + ": "
                + what
                + " would take the session to about "
                + (size + adding)
                + " bytes, more than the "
                + settings.maxSessionBytes()
                + " a session may hold (agent-runtime.session.max-session-size)",
            field));
  }

  Decision deleteMemory(SessionState s, Caller caller, String key, Instant now) {
    return refuseIfClosed(s)
        .orElseGet(
            () ->
                key != null && s.memory().containsKey(key)
                    ? Decision.of(new MemoryDeleted(key, caller.user(), now))
                    : Decision.refuse(memoryKeyNotFound(key)));
  }

  static Problem memoryKeyNotFound(String key) {
    return new Problem(
        Problem.Kind.NOT_FOUND, "memory_key_not_found", "no memory under key " + key, "key");
  }

  /**
   * Connects a tool, or replaces the one of the same name. Only an operator may change where an
   * existing tool goes (kind, url, secretRef, idempotent). Calls waiting for an approval of the
   * tool's old definition are asked again.
   */
  Decision connectTool(SessionState s, Caller caller, ToolConnection tool, Instant now) {
    return refuseIfClosed(s)
        .or(
            () ->
                validation
                    .tool(tool, "")
                    .or(
                        () ->
                            hostRefusal
                                .apply(tool)
                                .map(
                                    why ->
                                        new Problem(
                                            Problem.Kind.INVALID,
                                            "host_not_allowed",
                                            "url: " + why,
                                            "url")))
                    .map(Decision::refuse))
        .or(
            () ->
                caller.operator() ? Optional.empty() : retargeted(s.tools().get(tool.name()), tool))
        .orElseGet(
            () ->
                !s.tools().containsKey(tool.name()) && s.tools().size() >= settings.maxTools()
                    ? Decision.refuse(
                        Problem.tooLarge(
                            "tools", "the session holds " + settings.maxTools() + " tools already"))
                    : tooLarge(
                            s,
                            SessionSize.of(tool) - SessionSize.of(s.tools().get(tool.name())),
                            "the tool",
                            "tools")
                        .map(Decision::refuse)
                        .orElseGet(
                            () ->
                                changedTool(
                                    s,
                                    new ToolConnected(tool, caller.user(), now),
                                    tool.name(),
                                    caller,
                                    now)));
  }

  /** The change, and what it means for calls of the tool that wait for an approval. */
  private Decision changedTool(
      SessionState s, SessionEvent change, String name, Caller caller, Instant now) {
    EventBatch b = new EventBatch(s);
    b.add(change);
    turns.toolChanged(b, name, caller.user(), now);
    return Decision.of(b);
  }

  /** Why a caller who is no operator may not replace {@code before} with {@code after}. */
  private static Optional<Decision> retargeted(ToolConnection before, ToolConnection after) {
    if (before == null) {
      return Optional.empty(); // a new tool: the policy decides about its calls
    }
    String field = null;
    if (before.getClass() != after.getClass()) {
      field = "kind";
    } else if (!java.util.Objects.equals(before.url(), after.url())) {
      field = "url";
    } else if (!java.util.Objects.equals(before.secretRef(), after.secretRef())) {
      field = "secretRef";
    } else if (before instanceof ToolConnection.Http b
        && after instanceof ToolConnection.Http a
        && b.idempotent() != a.idempotent()) {
      field = "idempotent";
    }
    return field == null
        ? Optional.empty()
        : Optional.of(
            Decision.refuse(
                new Problem(
                    Problem.Kind.FORBIDDEN,
                    "forbidden",
                    "changing the "
                        + field
                        + " of the connected tool "
                        + before.name()
                        + " needs the operator role",
                    field)));
  }

  Decision disconnectTool(SessionState s, Caller caller, String name, Instant now) {
    return refuseIfClosed(s)
        .orElseGet(
            () ->
                name != null && s.tools().containsKey(name)
                    ? changedTool(
                        s, new ToolDisconnected(name, caller.user(), now), name, caller, now)
                    : Decision.refuse(
                        new Problem(
                            Problem.Kind.NOT_FOUND,
                            "tool_not_found",
                            "no tool named " + name,
                            "name")));
  }

  /**
   * Replaces the whole policy. Policy is governance: a caller who is no operator may keep or
   * tighten every tool's permission (allow -> ask -> deny), the default {@code *} included, but not
   * loosen one.
   */
  Decision changePermissions(
      SessionState s, Caller caller, PermissionPolicy permissions, Instant now) {
    return refuseIfClosed(s)
        .or(() -> validation.permissions(permissions, "tools").map(Decision::refuse))
        .or(
            () ->
                caller.operator()
                    ? Optional.empty()
                    : s.permissions()
                        .loosenedBy(permissions)
                        .map(
                            l ->
                                Decision.refuse(
                                    new Problem(
                                        Problem.Kind.FORBIDDEN,
                                        "forbidden",
                                        "loosening the permission of "
                                            + l.tool()
                                            + " ("
                                            + l.from().wireName()
                                            + " -> "
                                            + l.to().wireName()
                                            + ") needs the operator role",
                                        "tools." + l.tool()))))
        .orElseGet(() -> Decision.of(new PermissionsChanged(permissions, caller.user(), now)));
  }

  /**
   * Replaces the agent and/or the metadata (null: unchanged). The caller is one who may write to
   * the session (its owner or an operator); the new values are checked as at creation.
   */
  Decision updateSession(
      SessionState s,
      Caller caller,
      AgentDefinition agent,
      Map<String, String> metadata,
      Instant now) {
    return refuseIfClosed(s)
        .or(() -> agent == null ? Optional.empty() : validation.agent(agent).map(Decision::refuse))
        .or(
            () ->
                metadata == null
                    ? Optional.empty()
                    : validation.metadata(metadata).map(Decision::refuse))
        .orElseGet(() -> Decision.of(new SessionUpdated(agent, metadata, caller.user(), now)));
  }

  /** Why {@code s} takes no change any more: it is closed. */
  static Optional<Decision> refuseIfClosed(SessionState s) {
    return s.closed()
        ? Optional.of(Decision.refuse(Problem.conflict("session_closed", "the session is closed")))
        : Optional.empty();
  }

  /** What a caller hears of a session it may not see, or that does not exist (any more). */
  static Problem missing(SessionState s, String sessionId) {
    return s.erased()
        ? new Problem(Problem.Kind.NOT_FOUND, "session_erased", erasedMessage(sessionId), null)
        : Problem.notFound();
  }

  private static String erasedMessage(String sessionId) {
    return "session " + sessionId + " was erased; its id cannot be used again";
  }

  private static Optional<Decision> operator(Caller caller) {
    return caller.operator()
        ? Optional.empty()
        : Optional.of(
            Decision.refuse(
                new Problem(
                    Problem.Kind.FORBIDDEN,
                    "role_missing",
                    "this control needs the operator role",
                    null)));
  }

  /**
   * An agent that names no budgets gets the configured ones, journaled with it so replay never
   * reads config.
   */
  private SessionSpec withDefaultLimits(SessionSpec spec) {
    AgentDefinition agent = spec.agent();
    if (agent == null || agent.limits() != null) {
      return spec;
    }
    return spec.withAgent(
        new AgentDefinition(agent.instructions(), agent.model(), settings.defaultLimits()));
  }

  private Optional<Problem> unknownModel(AgentDefinition agent) {
    Set<String> known = models.get();
    return known.isEmpty() || known.contains(agent.model())
        ? Optional.empty()
        : Optional.of(
            Problem.invalid(
                "agent.model",
                "agent.model names no model provider of this server; known: "
                    + new TreeSet<>(known)));
  }

  private Optional<Problem> refusedHost(List<ToolConnection> tools) {
    for (int i = 0; i < tools.size(); i++) {
      Optional<String> refusal = hostRefusal.apply(tools.get(i));
      if (refusal.isPresent()) {
        String field = "tools[" + i + "].url";
        return Optional.of(
            new Problem(
                Problem.Kind.INVALID, "host_not_allowed", field + ": " + refusal.get(), field));
      }
    }
    return Optional.empty();
  }
}
