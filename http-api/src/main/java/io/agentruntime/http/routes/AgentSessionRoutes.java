package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.agents.AgentConfig;
import io.agentruntime.http.agents.AgentEventMapper;
import io.agentruntime.http.agents.AgentItems;
import io.agentruntime.http.agents.AgentObjects;
import io.agentruntime.http.agents.CursorPage;
import io.agentruntime.http.agents.SessionCreate;
import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.events.SessionEventStream;
import io.agentruntime.http.json.Fields;
import io.agentruntime.http.json.Json;
import io.agentruntime.http.request.JsonBody;
import io.agentruntime.http.request.RequestIds;
import io.agentruntime.runtime.agents.AgentCatalog;
import io.agentruntime.runtime.agents.SavedAgent;
import io.agentruntime.runtime.directory.SessionPage;
import io.agentruntime.runtime.directory.SessionSummary;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.Ids;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.session.SessionCommand.CreateMode;
import io.agentruntime.runtime.session.SessionRefused;
import io.agentruntime.runtime.session.SessionService;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.StreamItem;
import io.agentruntime.runtime.session.TranscriptEntry;
import io.agentruntime.runtime.session.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code /v1/agents/sessions}: the Agents API's sessions, each one of our sessions (decision 0025):
 * create (optionally with a first input, optionally streamed), list, retrieve, delete (which closes
 * it; a closed session is not found here), its items (from the transcript), turns and events (the
 * live stream, and {@link AgentInputRoutes input}).
 */
public final class AgentSessionRoutes {

  /** How many of a tenant's sessions a listing looks through at most. */
  private static final int LISTING_SCAN = 1000;

  private final SessionService sessions;
  private final AgentCatalog catalog;
  private final JsonBody body;
  private final SessionEventStream events;
  private final AgentInputRoutes inputs;

  AgentSessionRoutes(
      SessionService sessions, AgentCatalog catalog, JsonBody body, SessionEventStream events) {
    this.sessions = sessions;
    this.catalog = catalog;
    this.body = body;
    this.events = events;
    this.inputs = new AgentInputRoutes(sessions, body);
  }

  /** The routes below {@code /v1/agents/sessions}. */
  Route routes(Principal principal) {
    return concat(
        pathEnd(() -> concat(post(() -> create(principal)), get(() -> list(principal)))),
        pathPrefix(
            segment(),
            rawId -> {
              String id = checkedId(rawId);
              return concat(
                  pathEnd(
                      () ->
                          concat(
                              get(() -> Responses.ok(sessionObject(principal, id))),
                              post(() -> update(principal, id)),
                              delete(() -> remove(principal, id)))),
                  pathPrefix(
                      "events",
                      () ->
                          pathEnd(
                              () ->
                                  concat(
                                      post(() -> inputs.post(principal, id)),
                                      get(() -> stream(principal, id))))),
                  pathPrefix("items", () -> pathEnd(() -> get(() -> items(principal, id)))),
                  pathPrefix(
                      "turns",
                      () ->
                          concat(
                              pathEnd(() -> get(() -> turns(principal, id))),
                              pathPrefix(
                                  segment(),
                                  turnId ->
                                      pathEnd(() -> get(() -> turn(principal, id, turnId)))))));
            }));
  }

  /** A session id that cannot be one names none: 404, as an unknown one. */
  static String checkedId(String id) {
    if (!io.agentruntime.runtime.session.SessionValidation.SESSION_ID.matcher(id).matches()) {
      throw ApiError.of(Problem.notFound());
    }
    return id;
  }

  /**
   * The session as the caller may see it, at a glance (no memory, no tools discovered on MCP
   * servers: nothing here shows them); a closed one is not found here.
   */
  CompletionStage<SessionView> visible(Principal principal, String id) {
    return sessions.glance(principal.tenant(), id, principal.caller()).thenApply(this::open);
  }

  private SessionView open(SessionView v) {
    if (v.status() == SessionStatus.CLOSED) {
      throw new SessionRefused(Problem.notFound());
    }
    return v;
  }

  private CompletionStage<List<Approval>> pending(Principal principal, SessionView v) {
    if (v.pendingApprovals() == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    return sessions.approvals(principal.tenant(), v.id(), principal.caller());
  }

  private CompletionStage<ObjectNode> sessionObject(Principal principal, String id) {
    return visible(principal, id)
        .thenCompose(v -> pending(principal, v).thenApply(p -> AgentObjects.session(v, p)));
  }

  private Route create(Principal principal) {
    return body.json(
        json -> {
          SessionCreate request = SessionCreate.read(json);
          CompletionStage<Optional<SavedAgent>> saved =
              request.agentId().isPresent()
                  ? catalog.get(principal.tenant(), request.agentId().get()).thenApply(Optional::of)
                  : CompletableFuture.completedFuture(Optional.empty());
          String id = Ids.newId("sess_");
          // A streamed create needs room for its stream: refused before anything is made, so that
          // a 429 (which the SDKs retry) never leaves a session behind.
          CompletionStage<Done> room =
              request.stream()
                  ? events.roomFor(principal)
                  : CompletableFuture.completedFuture(Done.getInstance());
          CompletionStage<SessionView> created =
              room.thenCompose(ok -> saved)
                  .thenCompose(
                      agent ->
                          sessions.create(
                              principal.tenant(),
                              id,
                              principal.caller(),
                              request.spec(
                                  request.profile(agent, sessions::knowsModel),
                                  sessions.defaultLimits()),
                              CreateMode.CREATE_NEW))
                  .thenCompose(c -> sessions.glance(principal.tenant(), id, principal.caller()));
          if (request.stream()) {
            return onSuccess(created, v -> createStream(principal, v, request.input()));
          }
          return Responses.ok(
              created
                  .thenCompose(v -> send(principal, id, request.input()))
                  .thenCompose(ignored -> sessionObject(principal, id)));
        });
  }

  private CompletionStage<Void> send(Principal principal, String id, Optional<String> input) {
    if (input.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return sessions
        .send(
            principal.tenant(),
            id,
            principal.caller(),
            input.get(),
            OnBusy.QUEUE,
            null,
            Duration.ZERO)
        .thenApply(turn -> null);
  }

  /**
   * The new session's events from its start ({@code agent.session.created}), closed once its first
   * turn settles (at once without input). The stream is subscribed before the input is sent.
   */
  private Route createStream(Principal principal, SessionView v, Optional<String> input) {
    AgentEventMapper mapper =
        new AgentEventMapper(
            AgentObjects.session(v, List.of()),
            AgentObjects.mcpLabels(v.tools()),
            AgentObjects.clientTools(v.tools()),
            null);
    return extractRequest(
        request ->
            onSuccess(
                sessions
                    .events(
                        principal.tenant(), v.id(), principal.caller(), 0, RequestIds.of(request))
                    .thenCompose(items -> send(principal, v.id(), input).thenApply(sent -> items)),
                items -> {
                  Source<Pair<ObjectNode, Boolean>, NotUsed> mapped =
                      items.mapConcat(item -> marked(mapper, item));
                  Source<ServerSentEvent, NotUsed> framed =
                      (input.isEmpty() ? mapped.take(1) : mapped.takeWhile(p -> !p.second(), true))
                          .map(p -> frame(p.first()));
                  return sse(principal, framed);
                }));
  }

  /** The events of {@code item}, the last marked when a turn has settled with it. */
  private static List<Pair<ObjectNode, Boolean>> marked(AgentEventMapper mapper, StreamItem item) {
    List<ObjectNode> mapped = map(mapper, item);
    List<Pair<ObjectNode, Boolean>> out = new ArrayList<>();
    for (int i = 0; i < mapped.size(); i++) {
      out.add(Pair.create(mapped.get(i), i == mapped.size() - 1 && mapper.turnSettled()));
    }
    return out;
  }

  private static List<ObjectNode> map(AgentEventMapper mapper, StreamItem item) {
    if (item instanceof StreamItem.Journaled j) {
      return mapper.journaled(j.seq(), j.event());
    }
    StreamItem.Delta d = (StreamItem.Delta) item;
    return mapper.delta(d.turnId(), d.text());
  }

  private static ServerSentEvent frame(ObjectNode event) {
    return ServerSentEvent.create(Json.text(event), event.get("type").asText());
  }

  private Route sse(Principal principal, Source<ServerSentEvent, NotUsed> framed) {
    return extractRequest(
        request ->
            respondWithHeader(
                CacheControl.create(CacheDirectives.NO_CACHE),
                () ->
                    complete(
                        HttpResponse.create()
                            .withEntity(events.sseOf(principal, request, framed)))));
  }

  /**
   * {@code GET .../events}: live only, from now on (the reference's section 4.1). The session is
   * read and the stream subscribed with one ask ({@link SessionService#follow}).
   */
  private Route stream(Principal principal, String id) {
    CompletionStage<Pair<AgentEventMapper, Source<StreamItem, NotUsed>>> opened =
        events
            .roomFor(principal)
            .thenCompose(
                room ->
                    sessions.follow(
                        principal.tenant(), id, principal.caller(), "agents-events-" + id))
            .thenCompose(
                followed -> {
                  SessionView v = open(followed.view());
                  return pending(principal, v)
                      .thenApply(
                          p ->
                              Pair.create(
                                  new AgentEventMapper(
                                      AgentObjects.session(v, p),
                                      AgentObjects.mcpLabels(v.tools()),
                                      AgentObjects.clientTools(v.tools()),
                                      v.currentTurn()),
                                  followed.events()));
                });
    return onSuccess(
        opened,
        pair ->
            sse(
                principal,
                pair.second()
                    .mapConcat(item -> map(pair.first(), item))
                    .map(AgentSessionRoutes::frame)));
  }

  /**
   * {@code POST /v1/agents/sessions/{id}}: the session's {@code metadata} (replaced whole; null or
   * {} clears it) and its agent's {@code model}, {@code reasoning} and {@code service_tier}, as one
   * journaled change; a turn under way takes the new model at its next call. Changing the agent's
   * tools is refused (400), not ignored.
   */
  private Route update(Principal principal, String id) {
    return body.json(
        json -> {
          ObjectNode request = Fields.body(json);
          Optional<ObjectNode> agent = Fields.object(request, "agent", "");
          agent.ifPresent(
              a -> {
                for (String field : List.of("tools", "instructions", "multi_agent", "text")) {
                  if (a.has(field)) {
                    throw ApiError.invalidField(
                        "agent." + field,
                        "agent."
                            + field
                            + " of a session cannot be changed here (only model,"
                            + " reasoning and service_tier)");
                  }
                }
              });
          Map<String, String> metadata =
              request.has("metadata") ? metadataOf(AgentConfig.metadata(request, "")) : null;
          return Responses.ok(
              visible(principal, id)
                  .thenCompose(
                      v -> {
                        AgentDefinition next =
                            agent
                                .map(
                                    a -> {
                                      ObjectNode profile =
                                          AgentConfig.apply(
                                              AgentObjects.sessionAgent(v),
                                              a,
                                              "agent",
                                              sessions::knowsModel);
                                      // The inline agent's id is the session's, not kept.
                                      profile.set(
                                          "id", profile.textNode(AgentObjects.savedAgentId(v)));
                                      return new AgentDefinition(
                                          v.agent().instructions(),
                                          profile.get("model").asText(),
                                          v.agent().limits(),
                                          profile);
                                    })
                                .orElse(null);
                        if (next == null && metadata == null) {
                          return CompletableFuture.completedFuture(null);
                        }
                        return sessions.updateSession(
                            principal.tenant(), id, principal.caller(), next, metadata);
                      })
                  .thenCompose(updated -> sessionObject(principal, id)));
        });
  }

  private static Map<String, String> metadataOf(ObjectNode metadata) {
    Map<String, String> out = new LinkedHashMap<>();
    metadata.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private Route remove(Principal principal, String id) {
    return Responses.ok(
        visible(principal, id)
            .thenCompose(v -> sessions.close(principal.tenant(), id, principal.caller()))
            .thenApply(
                closed -> {
                  ObjectNode answer = Json.MAPPER.createObjectNode();
                  answer.put("id", id);
                  answer.put("deleted", true);
                  answer.put("object", "agent.session.deleted");
                  return answer;
                }));
  }

  private Route items(Principal principal, String id) {
    return Responses.okPage(
        page ->
            visible(principal, id)
                .thenCompose(
                    v ->
                        transcript(principal, id, 0, new ArrayList<>())
                            .thenApply(
                                all ->
                                    page.over(
                                        AgentItems.of(all, AgentObjects.mcpLabels(v.tools()))))));
  }

  /** The whole transcript, page by page (it is bounded by the session's size). */
  private CompletionStage<List<TranscriptEntry>> transcript(
      Principal principal, String id, long after, List<TranscriptEntry> sofar) {
    return sessions
        .transcript(principal.tenant(), id, principal.caller(), after, 1000)
        .thenCompose(
            found -> {
              sofar.addAll(found.messages());
              return found.nextAfter() == null
                  ? CompletableFuture.completedFuture(sofar)
                  : transcript(principal, id, found.nextAfter(), sofar);
            });
  }

  private Route turns(Principal principal, String id) {
    return Responses.okPage(
        page ->
            visible(principal, id)
                .thenCompose(
                    v ->
                        allTurns(principal, id, null, new ArrayList<>())
                            .thenApply(
                                newestFirst -> {
                                  List<ObjectNode> oldestFirst = new ArrayList<>();
                                  for (int i = newestFirst.size() - 1; i >= 0; i--) {
                                    oldestFirst.add(
                                        AgentObjects.turn(
                                            id, AgentObjects.agentId(v), newestFirst.get(i)));
                                  }
                                  return page.over(oldestFirst);
                                })));
  }

  private CompletionStage<List<Turn>> allTurns(
      Principal principal, String id, String after, List<Turn> sofar) {
    return sessions
        .listTurns(principal.tenant(), id, principal.caller(), 100, after)
        .thenCompose(
            found -> {
              sofar.addAll(found.turns());
              return found.nextAfter() == null || found.turns().isEmpty()
                  ? CompletableFuture.completedFuture(sofar)
                  : allTurns(principal, id, found.nextAfter(), sofar);
            });
  }

  private Route turn(Principal principal, String id, String turnId) {
    return Responses.ok(
        visible(principal, id)
            .thenCompose(
                v ->
                    sessions
                        .getTurn(principal.tenant(), id, principal.caller(), turnId)
                        .thenApply(t -> AgentObjects.turn(id, AgentObjects.agentId(v), t))));
  }

  private Route list(Principal principal) {
    return parameterOptional(
        "agent_id",
        agentId ->
            Responses.okPage(
                page ->
                    directory(principal, Optional.empty(), new ArrayList<>())
                        .thenCompose(summaries -> listed(principal, summaries, page, agentId))));
  }

  /**
   * The page of {@code summaries} asked for: ordered by creation, after the cursor; only the
   * sessions that may be on the page are read whole (all that remain when filtered by agent).
   */
  private CompletionStage<ObjectNode> listed(
      Principal principal,
      List<SessionSummary> summaries,
      CursorPage page,
      Optional<String> agentId) {
    List<SessionSummary> ordered =
        new ArrayList<>(
            summaries.stream()
                .filter(s -> !"closed".equals(s.status()))
                .sorted(
                    Comparator.comparing(SessionSummary::createdAt)
                        .thenComparing(SessionSummary::sessionId))
                .toList());
    if (page.newestFirst()) {
      java.util.Collections.reverse(ordered);
    }
    int start = 0;
    if (page.after().isPresent()) {
      start = -1;
      for (int i = 0; i < ordered.size(); i++) {
        if (ordered.get(i).sessionId().equals(page.after().get())) {
          start = i + 1;
        }
      }
      if (start < 0) {
        throw ApiError.invalidField("after", "after names no session of this list");
      }
    }
    List<SessionSummary> rest = ordered.subList(start, ordered.size());
    List<SessionSummary> candidates =
        agentId.isEmpty() ? rest.subList(0, Math.min(rest.size(), page.limit() + 1)) : rest;
    List<CompletableFuture<Optional<ObjectNode>>> objects =
        candidates.stream()
            .map(
                s ->
                    sessionObject(principal, s.sessionId())
                        .thenApply(Optional::of)
                        .exceptionally(gone -> Optional.empty())
                        .toCompletableFuture())
            .toList();
    return CompletableFuture.allOf(objects.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<ObjectNode> found =
                  objects.stream()
                      .map(CompletableFuture::join)
                      .flatMap(Optional::stream)
                      .filter(
                          o ->
                              agentId.isEmpty()
                                  || agentId.get().equals(o.at("/agent/id").textValue()))
                      .toList();
              boolean more = found.size() > page.limit() || rest.size() > candidates.size();
              return CursorPage.list(found.subList(0, Math.min(found.size(), page.limit())), more);
            });
  }

  /** The caller's sessions in the directory (an operator's: the tenant's), at most a bound. */
  private CompletionStage<List<SessionSummary>> directory(
      Principal principal, Optional<String> cursor, List<SessionSummary> sofar) {
    Optional<String> owner =
        principal.has(io.agentruntime.http.auth.Role.OPERATOR)
            ? Optional.empty()
            : Optional.of(principal.user());
    CompletionStage<SessionPage> page =
        sessions.list(principal.tenant(), owner, Optional.empty(), 100, cursor);
    return page.thenCompose(
        p -> {
          sofar.addAll(p.sessions());
          return p.nextCursor().isEmpty() || sofar.size() >= LISTING_SCAN
              ? CompletableFuture.completedFuture(sofar)
              : directory(principal, p.nextCursor(), sofar);
        });
  }
}
