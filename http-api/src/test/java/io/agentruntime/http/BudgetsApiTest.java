package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Budgets that pause (decision 0039), over HTTP on a real node whose model is an OpenAI-compatible
 * server reporting {@code usage}: a model call that would start past the session's token budget
 * waits for an approver, who raises the budget (the turn completes) or denies (it fails with {@code
 * budget_exhausted}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BudgetsApiTest {

  private FakeOpenAiServer model;
  private TestNode node;
  private Api api;

  @BeforeAll
  void start() {
    model = FakeOpenAiServer.start();
    node = TestNode.overModel(model, TestNode.PRICED_MODEL);
    api = node.api;
  }

  @AfterAll
  void stop() {
    node.close();
    model.close();
  }

  /** A session with a budget of 50 tokens whose first turn spent 60 (40 in, 20 out). */
  private String sessionThatSpentItsBudget() {
    String id = TestNode.newId("budget");
    Response created =
        api.post(
            ADA,
            "/v1/sessions",
            "{\"id\": \""
                + id
                + "\", \"agent\": {\"model\": \"default\", \"limits\": {\"maxSessionTokens\": 50}}}");
    assertEquals(201, created.status(), created.toString());
    String session = "/v1/sessions/" + id;
    model.enqueue(FakeReply.text("first answer").usage(40, 20));
    JsonNode first =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"hello\"}").json();
    assertEquals("completed", first.get("status").asText(), first.toString());
    return session;
  }

  /** Sends a message and waits for its turn to settle: paused for the budget. */
  private JsonNode pausedTurn(String session) {
    JsonNode turn =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"more\"}").json();
    assertEquals("awaiting_approval", turn.get("status").asText(), turn.toString());
    return turn;
  }

  @Test
  void aModelCallPastTheBudgetPausesAndARaiseLetsTheTurnComplete() {
    String session = sessionThatSpentItsBudget();
    int asked = model.requests().size();
    JsonNode turn = pausedTurn(session);

    JsonNode approval = api.get(ADA, session + "/approvals").json().get(0);
    assertEquals("budget", approval.get("reason").asText());
    assertEquals(turn.get("turnId").asText(), approval.get("turnId").asText());
    assertEquals(50, approval.at("/arguments/limit").asLong());
    assertEquals(60, approval.at("/arguments/used").asLong());
    assertEquals(asked, model.requests().size(), "no model call started past the budget");
    JsonNode usage = api.get(ADA, session).json().get("usage");
    assertEquals(40, usage.get("inputTokens").asLong(), usage.toString());
    assertEquals(20, usage.get("outputTokens").asLong(), usage.toString());

    String decide = session + "/approvals/" + approval.get("id").asText();
    Response tooLow =
        api.post(ADA, decide, "{\"decision\": \"approve\", \"raise\": {\"maxSessionTokens\": 60}}");
    assertEquals(400, tooLow.status(), tooLow.toString());
    assertEquals("raise.maxSessionTokens", tooLow.json().at("/error/param").asText());
    assertEquals("pending", api.get(ADA, session + "/approvals").json().at("/0/status").asText());

    model.enqueue(FakeReply.text("second answer").usage(30, 10));
    Response raised =
        api.post(
            ADA, decide, "{\"decision\": \"approve\", \"raise\": {\"maxSessionTokens\": 1000}}");
    assertEquals(200, raised.status(), raised.toString());
    assertEquals("approve", raised.json().get("decision").asText());

    JsonNode done =
        api.get(ADA, session + "/turns/" + turn.get("turnId").asText() + "?waitSeconds=10").json();
    assertEquals("completed", done.get("status").asText(), done.toString());
    assertEquals("second answer", done.get("output").asText());
    JsonNode after = api.get(ADA, session).json();
    assertEquals(1000, after.at("/agent/limits/maxSessionTokens").asLong());
    assertEquals(70, after.at("/usage/inputTokens").asLong());
    assertEquals(30, after.at("/usage/outputTokens").asLong());
  }

  @Test
  void aDeniedBudgetFailsTheTurnWithBudgetExhausted() {
    String session = sessionThatSpentItsBudget();
    JsonNode turn = pausedTurn(session);
    String approvalId = api.get(ADA, session + "/approvals").json().at("/0/id").asText();

    Response denied =
        api.post(ADA, session + "/approvals/" + approvalId, "{\"decision\": \"deny\"}");
    assertEquals(200, denied.status(), denied.toString());

    JsonNode failed =
        api.get(ADA, session + "/turns/" + turn.get("turnId").asText() + "?waitSeconds=10").json();
    assertEquals("failed", failed.get("status").asText(), failed.toString());
    assertEquals("budget_exhausted", failed.at("/error/code").asText());
    assertTrue(api.get(ADA, session + "/approvals").json().isEmpty());
  }

  @Test
  void aModelCallPastTheCostBudgetPausesAndARaiseOfMaxSessionCostLetsTheTurnComplete() {
    String id = TestNode.newId("cost");
    Response created =
        api.post(
            ADA,
            "/v1/sessions",
            "{\"id\": \""
                + id
                + "\", \"agent\": {\"model\": \"default\", \"limits\": {\"maxSessionCost\": 0.05}}}");
    assertEquals(201, created.status(), created.toString());
    assertEquals(
        0.05,
        api.get(ADA, "/v1/sessions/" + id).json().at("/agent/limits/maxSessionCost").asDouble(),
        1e-12);
    String session = "/v1/sessions/" + id;
    model.enqueue(FakeReply.text("first answer").usage(40, 20));
    JsonNode first =
        api.post(ADA, session + "/messages?waitSeconds=10", "{\"content\": \"hello\"}").json();
    assertEquals("completed", first.get("status").asText(), first.toString());
    JsonNode usage = api.get(ADA, session).json().get("usage");
    assertEquals(0.08, usage.get("costUsd").asDouble(), 1e-12, usage.toString());
    assertEquals(0, api.get(ADA, session).json().at("/agent/limits/maxSessionTokens").asLong());

    int asked = model.requests().size();
    JsonNode turn = pausedTurn(session);
    JsonNode approval = api.get(ADA, session + "/approvals").json().get(0);
    assertEquals("budget", approval.get("reason").asText());
    assertEquals("cost", approval.at("/arguments/budget").asText(), approval.toString());
    assertEquals("maxSessionCost", approval.at("/arguments/raise").asText());
    assertEquals(0.05, approval.at("/arguments/limit").asDouble(), 1e-12);
    assertEquals(0.08, approval.at("/arguments/used").asDouble(), 1e-12);
    assertEquals(asked, model.requests().size(), "no model call started past the cost budget");

    String decide = session + "/approvals/" + approval.get("id").asText();
    Response tooLow =
        api.post(ADA, decide, "{\"decision\": \"approve\", \"raise\": {\"maxSessionCost\": 0.08}}");
    assertEquals(400, tooLow.status(), tooLow.toString());
    assertEquals("raise.maxSessionCost", tooLow.json().at("/error/param").asText());
    Response tokens =
        api.post(
            ADA, decide, "{\"decision\": \"approve\", \"raise\": {\"maxSessionTokens\": 1000}}");
    assertEquals(400, tokens.status(), "a cost approval is raised by maxSessionCost");
    assertEquals("pending", api.get(ADA, session + "/approvals").json().at("/0/status").asText());

    model.enqueue(FakeReply.text("second answer").usage(30, 10));
    Response raised =
        api.post(ADA, decide, "{\"decision\": \"approve\", \"raise\": {\"maxSessionCost\": 1}}");
    assertEquals(200, raised.status(), raised.toString());
    JsonNode done =
        api.get(ADA, session + "/turns/" + turn.get("turnId").asText() + "?waitSeconds=10").json();
    assertEquals("completed", done.get("status").asText(), done.toString());
    assertEquals("second answer", done.get("output").asText());
    JsonNode after = api.get(ADA, session).json();
    assertEquals(1, after.at("/agent/limits/maxSessionCost").asDouble(), 1e-12);
    // 0.08 + 30 * 1000e-6 + 10 * 2000e-6 = 0.13
    assertEquals("0.13", after.at("/usage/costUsd").asText(), after.get("usage").toString());
    assertEquals(70, after.at("/usage/inputTokens").asLong());
  }

  @Test
  void aCostLimitThatIsNegativeOrNotANumberIsRefusedAndNothingIsCreated() {
    for (String bad : new String[] {"-0.01", "\"5\"", "true"}) {
      String id = TestNode.newId("badcost");
      Response r =
          api.post(
              ADA,
              "/v1/sessions",
              "{\"id\": \""
                  + id
                  + "\", \"agent\": {\"limits\": {\"maxSessionCost\": "
                  + bad
                  + "}}}");
      assertEquals(400, r.status(), bad + ": " + r);
      assertEquals("invalid_field", r.json().at("/error/code").asText());
      assertEquals("agent.limits.maxSessionCost", r.json().at("/error/param").asText());
      assertEquals(404, api.get(ADA, "/v1/sessions/" + id).status(), "nothing created");
    }
  }

  /** No runtime-run tool is called here. */
}
