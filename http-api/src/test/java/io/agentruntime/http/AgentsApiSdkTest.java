package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.beta.agents.Agent;
import com.openai.models.beta.agents.AgentCreateParams;
import com.openai.models.beta.agents.AgentListParams;
import com.openai.models.beta.agents.AgentSession;
import com.openai.models.beta.agents.AgentSessionEvent;
import com.openai.models.beta.agents.AgentSessionItem;
import com.openai.models.beta.agents.AgentSessionStreamParams;
import com.openai.models.beta.agents.AgentUpdateParams;
import com.openai.models.beta.agents.sessions.SessionCreateParams;
import com.openai.models.beta.agents.sessions.events.EventCreateParams;
import com.openai.models.beta.agents.sessions.items.ItemListParams;
import com.openai.models.beta.agents.sessions.turns.TurnListParams;
import com.openai.models.beta.agents.sessions.turns.TurnRetrieveParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI Agents API, driven by the official Java SDK (unchanged, over real HTTP) against a real
 * node whose {@code default} model is the scripted one ({@code echo: <message>}) and whose {@code
 * stall} model never answers.
 */
class AgentsApiSdkTest {

  private static final TestNode node = TestNode.shared();

  static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + node.server.address().getPort() + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .build();
  }

  private final OpenAIClient ada = client(TestKeys.ADA);

  private Agent agent(String name, String model) {
    return ada.beta()
        .agents()
        .create(
            AgentCreateParams.builder().model(model).name(name).instructions("Be brief.").build());
  }

  private AgentSession session(String agentId) {
    return ada.beta()
        .agents()
        .sessions()
        .create(SessionCreateParams.builder().agentId(agentId).environmentNone().build());
  }

  @Test
  void agentsAreCreatedReadListedPageByPageUpdatedAndDeleted() {
    Agent first = agent("first", "default");
    assertEquals("agent", first._object_().asString().orElseThrow());
    assertEquals("default", first.model());
    assertEquals("first", first.name().orElseThrow());
    assertEquals("Be brief.", first.instructions().orElseThrow());
    Set<String> ours = new HashSet<>(List.of(first.id()));
    ours.add(agent("second", "scripted").id());
    ours.add(agent("third", "default").id());

    Agent read = ada.beta().agents().retrieve(first.id());
    assertEquals(first.id(), read.id());
    assertEquals(first.createdAt(), read.createdAt());

    List<String> listed = new ArrayList<>();
    ada.beta()
        .agents()
        .list(AgentListParams.builder().limit(2).build())
        .autoPager()
        .forEach(a -> listed.add(a.id()));
    assertTrue(listed.containsAll(ours), listed + " misses some of " + ours);
    assertEquals(listed.size(), new HashSet<>(listed).size(), "an agent listed twice: " + listed);

    Agent renamed =
        ada.beta().agents().update(first.id(), AgentUpdateParams.builder().name("renamed").build());
    assertEquals("renamed", renamed.name().orElseThrow());
    assertEquals("Be brief.", renamed.instructions().orElseThrow());
    assertEquals("renamed", ada.beta().agents().retrieve(first.id()).name().orElseThrow());

    assertTrue(ada.beta().agents().delete(first.id()).deleted());
    assertThrows(NotFoundException.class, () -> ada.beta().agents().retrieve(first.id()));
  }

  /**
   * A session's metadata and model change through the SDK's update and survive a read; an unknown
   * model is a 400 naming the field and changes nothing; empty metadata clears it.
   */
  @Test
  void aSessionsMetadataAndModelAreUpdated() throws Exception {
    AgentSession s = session(agent("updated", "default").id());
    AgentSession updated =
        ada.beta()
            .agents()
            .sessions()
            .update(
                s.id(),
                com.openai.models.beta.agents.sessions.SessionUpdateParams.builder()
                    .metadata(
                        com.openai.models.beta.agents.sessions.SessionUpdateParams.Metadata
                            .builder()
                            .putAdditionalProperty("team", com.openai.core.JsonValue.from("core"))
                            .build())
                    .agent(
                        com.openai.models.beta.agents.sessions.SessionUpdateParams.Agent.builder()
                            .model("scripted")
                            .build())
                    .build());
    assertEquals("scripted", updated.agent().model());
    assertEquals("core", updated.metadata()._additionalProperties().get("team").asString().get());
    AgentSession read = ada.beta().agents().sessions().retrieve(s.id());
    assertEquals("scripted", read.agent().model());
    assertEquals("core", read.metadata()._additionalProperties().get("team").asString().get());

    BadRequestException unknown =
        assertThrows(
            BadRequestException.class,
            () ->
                ada.beta()
                    .agents()
                    .sessions()
                    .update(
                        s.id(),
                        com.openai.models.beta.agents.sessions.SessionUpdateParams.builder()
                            .agent(
                                com.openai.models.beta.agents.sessions.SessionUpdateParams.Agent
                                    .builder()
                                    .model("no-such-model")
                                    .build())
                            .build()));
    assertEquals("agent.model", unknown.param().orElseThrow());
    assertEquals(
        "scripted", ada.beta().agents().sessions().retrieve(s.id()).agent().model(), "unchanged");

    // metadata: {} clears it
    AgentSession cleared =
        ada.beta()
            .agents()
            .sessions()
            .update(
                s.id(),
                com.openai.models.beta.agents.sessions.SessionUpdateParams.builder()
                    .metadata(
                        com.openai.models.beta.agents.sessions.SessionUpdateParams.Metadata
                            .builder()
                            .build())
                    .build());
    assertTrue(cleared.metadata()._additionalProperties().isEmpty(), cleared.toString());
  }

  @Test
  void aSessionCreatedWithInputAnswersAndGoesIdle() throws Exception {
    Agent agent = agent("echoer", "default");
    AgentSession created =
        ada.beta()
            .agents()
            .sessions()
            .create(
                SessionCreateParams.builder()
                    .agentId(agent.id())
                    .environmentNone()
                    .input("hello there")
                    .build());
    assertTrue(created.id().startsWith("sess_"), created.id());
    AgentSession idle = awaitIdle(created.id());
    assertEquals(AgentSession.Status.IDLE, idle.status());
    List<AgentSessionItem> items = new ArrayList<>();
    ada.beta()
        .agents()
        .sessions()
        .items()
        .list(created.id(), ItemListParams.builder().order(ItemListParams.Order.ASC).build())
        .autoPager()
        .forEach(items::add);
    assertEquals(2, items.size(), items.toString());
    assertEquals("hello there", items.get(0).asMessage().content().get(0).asInputText().text());
    assertEquals(
        "echo: hello there", items.get(1).asMessage().content().get(0).asOutputText().text());
  }

  /**
   * A session made with an inline agent has an agent id the SDK can read (its types require one),
   * which its turns carry too, which retrieves that agent, and which lists the session; another
   * tenant (and another user of the tenant) finds no such agent, and it changes only with its
   * session.
   */
  @Test
  void aSessionWithAnInlineAgentHasAnAgentIdThatRetrievesItsAgent() throws Exception {
    AgentSession s =
        ada.beta()
            .agents()
            .sessions()
            .create(
                SessionCreateParams.builder()
                    .agent(
                        SessionCreateParams.Agent.builder()
                            .model("default")
                            .instructions("Inline and brief.")
                            .build())
                    .environmentNone()
                    .input("hi")
                    .build());
    String agentId = s.agent().id();
    assertEquals("agt_inline_" + s.id(), agentId);
    awaitIdle(s.id());

    Agent inline = ada.beta().agents().retrieve(agentId);
    assertEquals(agentId, inline.id());
    assertEquals("default", inline.model());
    assertEquals("Inline and brief.", inline.instructions().orElseThrow());
    assertEquals(s.createdAt(), inline.createdAt());
    assertEquals(
        agentId,
        ada.beta()
            .agents()
            .sessions()
            .turns()
            .list(s.id(), TurnListParams.builder().build())
            .data()
            .get(0)
            .agentId());
    List<String> listed = new ArrayList<>();
    ada.beta()
        .agents()
        .sessions()
        .list(
            com.openai.models.beta.agents.sessions.SessionListParams.builder()
                .agentId(agentId)
                .build())
        .data()
        .forEach(x -> listed.add(x.id()));
    assertEquals(List.of(s.id()), listed);

    // The session's model changes, and so does its agent; the id stays.
    AgentSession updated =
        ada.beta()
            .agents()
            .sessions()
            .update(
                s.id(),
                com.openai.models.beta.agents.sessions.SessionUpdateParams.builder()
                    .agent(
                        com.openai.models.beta.agents.sessions.SessionUpdateParams.Agent.builder()
                            .model("scripted")
                            .build())
                    .build());
    assertEquals(agentId, updated.agent().id());
    assertEquals("scripted", ada.beta().agents().retrieve(agentId).model());

    BadRequestException delete =
        assertThrows(BadRequestException.class, () -> ada.beta().agents().delete(agentId));
    assertTrue(delete.getMessage().contains("/v1/agents/sessions/" + s.id()), delete.getMessage());
    assertEquals("scripted", ada.beta().agents().retrieve(agentId).model(), "still there");

    assertThrows(
        NotFoundException.class, () -> client(TestKeys.GUS).beta().agents().retrieve(agentId));
    assertThrows(
        NotFoundException.class, () -> client(TestKeys.BOB).beta().agents().retrieve(agentId));
    // A session made from a saved agent shows that agent's id, and has no inline one.
    AgentSession saved = session(agent("saved", "default").id());
    assertThrows(
        NotFoundException.class, () -> ada.beta().agents().retrieve("agt_inline_" + saved.id()));

    ada.beta().agents().sessions().delete(s.id());
    assertThrows(NotFoundException.class, () -> ada.beta().agents().retrieve(agentId));
  }

  @Test
  void theStreamHelperTakesAMessageToIdleWithTheFinalAnswer() {
    AgentSession s = session(agent("streamer", "default").id());
    assertEquals(AgentSession.Status.IDLE, s.status());
    List<String> types = new ArrayList<>();
    String answer = null;
    try (StreamResponse<AgentSessionEvent> events =
        ada.beta().agents().sessions().stream(
            AgentSessionStreamParams.builder().sessionId(s.id()).input("ping").build())) {
      for (AgentSessionEvent e : (Iterable<AgentSessionEvent>) events.stream()::iterator) {
        types.add(e.toString().replaceAll("\\{.*", ""));
        if (e.isTurnItemDone() && e.asTurnItemDone().item().isMessage()) {
          answer = e.asTurnItemDone().item().asMessage().content().get(0).text();
        }
        if (e.isIdle()) {
          break;
        }
      }
    }
    assertEquals("echo: ping", answer, types.toString());
  }

  @Test
  void aFunctionToolRunsOnTheClientThroughTheStreamHelpersToolHandler() {
    Agent agent =
        ada.beta()
            .agents()
            .create(
                AgentCreateParams.builder()
                    .model("default")
                    .addTool(
                        com.openai.models.beta.agents.PersistedAgentToolParam.Function.builder()
                            .name("lookup")
                            .description("Looks the weather up")
                            .parameters(
                                com.openai.models.beta.agents.PersistedAgentToolParam.Function
                                    .Parameters.builder()
                                    .putAdditionalProperty(
                                        "type", com.openai.core.JsonValue.from("object"))
                                    .build())
                            .build())
                    .build());
    AgentSession s = session(agent.id());
    List<java.util.Map<String, Object>> asked = new ArrayList<>();
    String answer = null;
    List<String> types = new ArrayList<>();
    try (StreamResponse<AgentSessionEvent> events =
        ada.beta().agents().sessions().stream(
            AgentSessionStreamParams.builder()
                .sessionId(s.id())
                .input("/tool lookup {\"city\": \"Paris\"}")
                .toolHandler(
                    "lookup",
                    arguments -> {
                      asked.add(arguments);
                      return "sunny in " + arguments.get("city");
                    })
                .build())) {
      for (AgentSessionEvent e : (Iterable<AgentSessionEvent>) events.stream()::iterator) {
        types.add(e.toString().replaceAll("\\{.*", ""));
        if (e.isTurnItemDone() && e.asTurnItemDone().item().isMessage()) {
          answer = e.asTurnItemDone().item().asMessage().content().get(0).text();
        }
        if (e.isIdle()) {
          break;
        }
      }
    }
    assertEquals(1, asked.size(), types.toString());
    assertEquals("Paris", asked.get(0).get("city"));
    assertNotNull(answer, types.toString());
    assertTrue(answer.contains("sunny in Paris"), answer);
    List<AgentSessionItem> items = new ArrayList<>();
    ada.beta()
        .agents()
        .sessions()
        .items()
        .list(s.id(), ItemListParams.builder().order(ItemListParams.Order.ASC).build())
        .autoPager()
        .forEach(items::add);
    assertTrue(items.get(1).isFunctionCall(), items.toString());
    assertEquals("lookup", items.get(1).asFunctionCall().name());
    assertTrue(items.get(2).isFunctionCallOutput(), items.toString());
    assertEquals(
        AgentSession.Status.IDLE, ada.beta().agents().sessions().retrieve(s.id()).status());
  }

  @Test
  void anMcpCallThatNeedsApprovalIsARequiredActionThatTheApprovalResultDecides() throws Exception {
    Agent agent =
        ada.beta()
            .agents()
            .create(
                AgentCreateParams.builder()
                    .model("default")
                    .addTool(
                        com.openai.models.beta.agents.PersistedAgentToolParam.Mcp.builder()
                            .serverLabel("files")
                            .httpTransport("http://127.0.0.1:9/mcp")
                            .addAllowedTool("search")
                            .putAdditionalProperty(
                                "require_approval", com.openai.core.JsonValue.from("always"))
                            .build())
                    .build());
    AgentSession s =
        ada.beta()
            .agents()
            .sessions()
            .create(
                SessionCreateParams.builder()
                    .agentId(agent.id())
                    .environmentNone()
                    .input("/tool files__search {\"q\": \"tickets\"}")
                    .build());
    AgentSession waiting = s;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!waiting.status().equals(AgentSession.Status.REQUIRES_ACTION)) {
      assertFalse(System.nanoTime() > deadline, "never required an action: " + waiting);
      Thread.sleep(50);
      waiting = ada.beta().agents().sessions().retrieve(s.id());
    }
    var action = waiting.requiredActions().get(0).asMcpApprovalRequest();
    assertEquals("files", action.request().serverLabel());
    assertEquals("search", action.request().name().orElseThrow());
    assertTrue(action.request()._arguments().toString().contains("tickets"));

    // bob, of the same tenant but neither its owner nor an approver, finds no such session
    OpenAIClient bob = client(TestKeys.BOB);
    var approve =
        EventCreateParams.builder()
            .addEvent(
                com.openai.models.beta.agents.AgentSessionInputParam
                    .AgentSessionInputMcpApprovalRequestResult.builder()
                    .requestId(action.requestId())
                    .mcpToolCallResponse(
                        com.openai.models.beta.agents.AgentSessionInputParam
                            .AgentSessionInputMcpApprovalRequestResult.Response.Decision.APPROVE)
                    .build())
            .build();
    assertThrows(
        NotFoundException.class,
        () -> bob.beta().agents().sessions().events().create(s.id(), approve));
    ada.beta().agents().sessions().events().create(s.id(), approve);
    awaitIdle(s.id());
    List<AgentSessionItem> items = new ArrayList<>();
    ada.beta()
        .agents()
        .sessions()
        .items()
        .list(s.id(), ItemListParams.builder().order(ItemListParams.Order.ASC).build())
        .autoPager()
        .forEach(items::add);
    AgentSessionItem call =
        items.stream().filter(AgentSessionItem::isMcpCall).findFirst().orElseThrow();
    assertEquals("search", call.asMcpCall().name());
    assertEquals("files", call.asMcpCall().serverLabel());
    // a second decision of the same approval is refused: decided once
    assertThrows(
        com.openai.errors.OpenAIServiceException.class,
        () -> ada.beta().agents().sessions().events().create(s.id(), approve));
  }

  @Test
  void itemsPageBeyondOnePageAndTurnsAreListedAndRead() throws Exception {
    AgentSession s = session(agent("pager", "default").id());
    for (String text : List.of("one", "two", "three")) {
      ada.beta()
          .agents()
          .sessions()
          .events()
          .create(
              s.id(),
              EventCreateParams.builder()
                  .addAgentSessionInputMessageEvent(
                      List.of(
                          com.openai.models.beta.agents.AgentSessionInputMessageParam.builder()
                              .addInputTextContent(text)
                              .build()))
                  .build());
      awaitIdle(s.id());
    }
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    ada.beta()
        .agents()
        .sessions()
        .items()
        .list(s.id(), ItemListParams.builder().limit(2).build())
        .autoPager()
        .forEach(
            item -> {
              ids.add(item.asMessage().id().orElseThrow());
              var part = item.asMessage().content().get(0);
              texts.add(
                  part.isInputText() ? part.asInputText().text() : part.asOutputText().text());
            });
    assertEquals(List.of("echo: three", "three", "echo: two", "two", "echo: one", "one"), texts);
    assertEquals(6, new HashSet<>(ids).size(), ids.toString());

    var turns =
        ada.beta().agents().sessions().turns().list(s.id(), TurnListParams.builder().build());
    List<String> turnIds = new ArrayList<>();
    turns.autoPager().forEach(t -> turnIds.add(t.id()));
    assertEquals(3, turnIds.size());
    var turn =
        ada.beta()
            .agents()
            .sessions()
            .turns()
            .retrieve(turnIds.get(0), TurnRetrieveParams.builder().sessionId(s.id()).build());
    assertEquals("completed", turn.status().toString());
    assertThrows(
        NotFoundException.class,
        () ->
            ada.beta()
                .agents()
                .sessions()
                .turns()
                .retrieve("turn_nope", TurnRetrieveParams.builder().sessionId(s.id()).build()));
  }

  @Test
  void aMessageDuringATurnSteersItAndACancelEndsItThenTheSessionGoesIdle() throws Exception {
    AgentSession s = session(agent("staller", "stall").id());
    BlockingQueue<AgentSessionEvent> seen = new LinkedBlockingQueue<>();
    StreamResponse<AgentSessionEvent> events =
        ada.beta().agents().sessions().events().streamStreaming(s.id());
    Thread reader =
        new Thread(
            () -> {
              try {
                events.stream().forEach(seen::add);
              } catch (RuntimeException closed) {
                // the test closed the stream
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      ada.beta()
          .agents()
          .sessions()
          .events()
          .create(
              s.id(),
              EventCreateParams.builder()
                  .addAgentSessionInputMessageEvent(
                      List.of(
                          com.openai.models.beta.agents.AgentSessionInputMessageParam.builder()
                              .addInputTextContent("take your time")
                              .build()))
                  .build());
      String turnId = until(seen, AgentSessionEvent::isTurnInProgress).asTurnInProgress().turnId();
      // A message during the turn steers it: the same turn, no second one.
      ada.beta()
          .agents()
          .sessions()
          .events()
          .create(
              s.id(),
              EventCreateParams.builder()
                  .addAgentSessionInputMessageEvent(
                      List.of(
                          com.openai.models.beta.agents.AgentSessionInputMessageParam.builder()
                              .addInputTextContent("and be quick")
                              .build()))
                  .build());
      AgentSessionEvent steered =
          until(
              seen,
              e ->
                  e.isTurnItemAdded()
                      && e.asTurnItemAdded().item().isMessage()
                      && e.asTurnItemAdded().item().asMessage().content().get(0).isInputText()
                      && e.asTurnItemAdded()
                          .item()
                          .asMessage()
                          .content()
                          .get(0)
                          .asInputText()
                          .text()
                          .equals("and be quick"));
      assertEquals(turnId, steered.asTurnItemAdded().item().asMessage().turnId());
      ada.beta()
          .agents()
          .sessions()
          .events()
          .create(s.id(), EventCreateParams.builder().addEventAgentSessionInputCancel().build());
      AgentSessionEvent cancelled = until(seen, AgentSessionEvent::isTurnCancelled);
      assertEquals(turnId, cancelled.asTurnCancelled().turnId());
      AgentSessionEvent next = seen.poll(10, TimeUnit.SECONDS);
      assertNotNull(next);
      assertTrue(next.isIdle(), next.toString());
      var turn =
          ada.beta()
              .agents()
              .sessions()
              .turns()
              .retrieve(turnId, TurnRetrieveParams.builder().sessionId(s.id()).build());
      assertEquals("cancelled", turn.status().toString());
      assertEquals(
          1,
          ada.beta()
              .agents()
              .sessions()
              .turns()
              .list(s.id(), TurnListParams.builder().build())
              .data()
              .size());
      // a cancel with no active turn is a no-op
      ada.beta()
          .agents()
          .sessions()
          .events()
          .create(s.id(), EventCreateParams.builder().addEventAgentSessionInputCancel().build());
    } finally {
      closeQuietly(events);
    }
  }

  @Test
  void badInputIsA400NamingTheFieldAndAnotherTenantsIdsAreNotFound() {
    BadRequestException model =
        assertThrows(BadRequestException.class, () -> agent("x", "no-such-model"));
    assertEquals("model", model.param().orElseThrow());
    BadRequestException tool =
        assertThrows(
            BadRequestException.class,
            () ->
                ada.beta()
                    .agents()
                    .create(
                        AgentCreateParams.builder()
                            .model("default")
                            .addTool(
                                com.openai.models.beta.agents.PersistedAgentToolParam.WebSearch
                                    .builder()
                                    .build())
                            .build()));
    assertTrue(tool.getMessage().contains("web_search"), tool.getMessage());
    assertEquals("tools[0].type", tool.param().orElseThrow());

    Agent mine = agent("mine", "default");
    AgentSession session = session(mine.id());
    OpenAIClient gus = client(TestKeys.GUS);
    assertThrows(NotFoundException.class, () -> gus.beta().agents().retrieve(mine.id()));
    assertThrows(
        NotFoundException.class, () -> gus.beta().agents().sessions().retrieve(session.id()));
    assertThrows(
        NotFoundException.class,
        () ->
            gus.beta()
                .agents()
                .sessions()
                .events()
                .create(
                    session.id(),
                    EventCreateParams.builder().addEventAgentSessionInputCancel().build()));
    assertThrows(NotFoundException.class, () -> gus.beta().agents().delete(mine.id()));
    assertEquals(mine.id(), ada.beta().agents().retrieve(mine.id()).id());
    assertEquals(
        AgentSession.Status.IDLE, ada.beta().agents().sessions().retrieve(session.id()).status());

    // A deleted session takes no more input: here it is not found.
    ada.beta().agents().sessions().delete(session.id());
    assertThrows(
        NotFoundException.class,
        () ->
            ada.beta()
                .agents()
                .sessions()
                .events()
                .create(
                    session.id(),
                    EventCreateParams.builder()
                        .addAgentSessionInputMessageEvent(
                            List.of(
                                com.openai.models.beta.agents.AgentSessionInputMessageParam
                                    .builder()
                                    .addInputTextContent("anyone?")
                                    .build()))
                        .build()));
  }

  /** Closing a stream another thread reads may fail in the HTTP client; the stream ends anyway. */
  static void closeQuietly(StreamResponse<?> events) {
    try {
      events.close();
    } catch (IllegalStateException closedUnderTheReader) {
      // okio's timeout bookkeeping across threads; nothing is left open
    }
  }

  static AgentSessionEvent until(
      BlockingQueue<AgentSessionEvent> seen, java.util.function.Predicate<AgentSessionEvent> which)
      throws InterruptedException {
    List<AgentSessionEvent> before = new ArrayList<>();
    while (true) {
      AgentSessionEvent e = seen.poll(10, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("the stream went quiet; seen " + before);
      }
      if (which.test(e)) {
        return e;
      }
      before.add(e);
    }
  }

  private AgentSession awaitIdle(String id) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      AgentSession s = ada.beta().agents().sessions().retrieve(id);
      if (s.status().equals(AgentSession.Status.IDLE)) {
        var turns =
            ada.beta().agents().sessions().turns().list(id, TurnListParams.builder().build());
        boolean open =
            turns.data().stream().anyMatch(t -> !t.status().toString().equals("completed"));
        if (!open) {
          return s;
        }
      }
      assertFalse(
          System.nanoTime() > deadline,
          "not idle in time: "
              + s
              + ada.beta()
                  .agents()
                  .sessions()
                  .turns()
                  .list(id, TurnListParams.builder().build())
                  .data());
      Thread.sleep(50);
    }
  }
}
