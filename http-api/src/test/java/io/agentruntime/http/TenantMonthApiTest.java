package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.GINA;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.IVAN;
import static io.agentruntime.http.TestKeys.OLGA;
import static io.agentruntime.http.TestKeys.OTTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The tenant's month (decision 0045), over HTTP on a real node whose model reports {@code usage} at
 * configured prices: an operator sets monthly budgets on the tenant's policy; the usage of all the
 * tenant's sessions counts toward them (and another tenant's does not); a model call past one
 * pauses the turn for an approval that only an operator raises; a denial fails the turn {@code
 * budget_exhausted}; {@code /metrics} counts tokens and cost per tenant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantMonthApiTest {

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

  /** What the tenant of {@code key} spent this month, as {@code GET /v1/policy} shows it. */
  private JsonNode month(String key) {
    Response r = api.get(key, "/v1/policy");
    assertEquals(200, r.status(), r.toString());
    return r.json().get("usage");
  }

  private long tokens(String key) {
    JsonNode m = month(key);
    return m.get("inputTokens").asLong() + m.get("outputTokens").asLong();
  }

  /** Waits until the tenant's month, as the tenant's entity counted it, satisfies {@code ok}. */
  private JsonNode awaitMonth(String key, Predicate<JsonNode> ok) {
    long until = System.nanoTime() + 10_000_000_000L;
    JsonNode m = month(key);
    while (!ok.test(m)) {
      if (System.nanoTime() > until) {
        fail("the tenant's month never became as expected: " + m);
      }
      sleep(50);
      m = month(key);
    }
    return m;
  }

  private void setBudgets(String operator, String budgets) {
    Response set = api.put(operator, "/v1/policy", "{\"tools\": {}, \"budgets\": " + budgets + "}");
    assertEquals(200, set.status(), set.toString());
  }

  /** A session of {@code user} whose first turn spent 60 tokens (40 in, 20 out), 0.08 USD. */
  private String sessionThatSpent(String user, String ownerTenantOperator) {
    long before = tokens(ownerTenantOperator);
    String id = TestNode.newId("month");
    Response created = api.post(user, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(201, created.status(), created.toString());
    String session = "/v1/sessions/" + id;
    model.enqueue(FakeReply.text("first answer").usage(40, 20));
    JsonNode first =
        api.post(user, session + "/messages?waitSeconds=10", "{\"content\": \"hello\"}").json();
    assertEquals("completed", first.get("status").asText(), first.toString());
    awaitMonth(
        ownerTenantOperator,
        m -> m.get("inputTokens").asLong() + m.get("outputTokens").asLong() >= before + 60);
    return session;
  }

  private JsonNode pausedTurn(String user, String session) {
    JsonNode turn =
        api.post(user, session + "/messages?waitSeconds=10", "{\"content\": \"more\"}").json();
    assertEquals("awaiting_approval", turn.get("status").asText(), turn.toString());
    return turn;
  }

  @Test
  void aTenantBudgetPausesTheTurnAndAnOperatorRaiseLetsItComplete() {
    // globex: gus (user) works, gina (approver and operator) raises.
    setBudgets(OTTO, "{\"monthlyTokens\": 0}");
    String session = sessionThatSpent(GUS, OTTO);
    long spent = tokens(OTTO);
    setBudgets(OTTO, "{\"monthlyTokens\": " + spent + "}");
    JsonNode policy = api.get(GUS, "/v1/policy").json();
    assertEquals(spent, policy.at("/budgets/monthlyTokens").asLong(), policy.toString());

    int asked = model.requests().size();
    JsonNode turn = pausedTurn(GUS, session);
    assertEquals(asked, model.requests().size(), "no model call started past the tenant budget");
    JsonNode approval = api.get(GINA, session + "/approvals").json().get(0);
    assertEquals("budget", approval.get("reason").asText());
    assertEquals("monthlyTokens", approval.at("/arguments/budget").asText(), approval.toString());
    assertEquals("monthlyTokens", approval.at("/arguments/raise").asText());
    assertEquals("tenant", approval.at("/arguments/scope").asText());
    assertEquals(spent, approval.at("/arguments/limit").asLong());
    assertEquals(spent, approval.at("/arguments/used").asLong());

    String decide = session + "/approvals/" + approval.get("id").asText();
    Response tooLow =
        api.post(
            GINA,
            decide,
            "{\"decision\": \"approve\", \"raise\": {\"monthlyTokens\": " + spent + "}}");
    assertEquals(400, tooLow.status(), tooLow.toString());
    assertEquals("raise.monthlyTokens", tooLow.json().at("/error/param").asText());
    Response sessionRaise =
        api.post(
            GINA, decide, "{\"decision\": \"approve\", \"raise\": {\"maxSessionTokens\": 10000}}");
    assertEquals(400, sessionRaise.status(), "a tenant budget is raised by its own field");
    assertEquals(spent, api.get(GUS, "/v1/policy").json().at("/budgets/monthlyTokens").asLong());

    model.enqueue(FakeReply.text("second answer").usage(30, 10));
    long raisedTo = spent + 1000;
    Response raised =
        api.post(
            GINA,
            decide,
            "{\"decision\": \"approve\", \"raise\": {\"monthlyTokens\": " + raisedTo + "}}");
    assertEquals(200, raised.status(), raised.toString());
    assertEquals(raisedTo, api.get(GUS, "/v1/policy").json().at("/budgets/monthlyTokens").asLong());

    JsonNode done =
        api.get(GUS, session + "/turns/" + turn.get("turnId").asText() + "?waitSeconds=10").json();
    assertEquals("completed", done.get("status").asText(), done.toString());
    assertEquals("second answer", done.get("output").asText());
    awaitMonth(
        OTTO, m -> m.get("inputTokens").asLong() + m.get("outputTokens").asLong() == spent + 40);
  }

  @Test
  void anApproverWhoIsNotAnOperatorCannotRaiseAndADenialFailsTheTurn() {
    // acme: ada (user, approver) works and denies, ivan (approver only) may not raise.
    setBudgets(OLGA, "{\"monthlyCost\": 0}");
    String session = sessionThatSpent(ADA, OLGA);
    JsonNode spent = month(OLGA);
    setBudgets(OLGA, "{\"monthlyCost\": " + spent.get("costUsd").decimalValue() + "}");
    long globexBefore = tokens(OTTO);

    JsonNode turn = pausedTurn(ADA, session);
    JsonNode approval = api.get(ADA, session + "/approvals").json().get(0);
    assertEquals("monthlyCost", approval.at("/arguments/budget").asText(), approval.toString());
    assertEquals(spent.get("costUsd").asDouble(), approval.at("/arguments/used").asDouble(), 1e-9);

    String decide = session + "/approvals/" + approval.get("id").asText();
    for (String approver : List.of(IVAN, ADA)) {
      Response refused =
          api.post(
              approver, decide, "{\"decision\": \"approve\", \"raise\": {\"monthlyCost\": 1000}}");
      assertEquals(403, refused.status(), refused.toString());
      assertEquals("role_missing", refused.json().at("/error/code").asText());
    }
    assertEquals("pending", api.get(ADA, session + "/approvals").json().at("/0/status").asText());
    assertEquals(
        spent.get("costUsd").asDouble(),
        api.get(ADA, "/v1/policy").json().at("/budgets/monthlyCost").asDouble(),
        1e-9,
        "nothing changed");

    Response denied = api.post(ADA, decide, "{\"decision\": \"deny\"}");
    assertEquals(200, denied.status(), denied.toString());
    JsonNode failed =
        api.get(ADA, session + "/turns/" + turn.get("turnId").asText() + "?waitSeconds=10").json();
    assertEquals("failed", failed.get("status").asText(), failed.toString());
    assertEquals("budget_exhausted", failed.at("/error/code").asText());
    assertEquals(globexBefore, tokens(OTTO), "acme's usage does not count toward globex's month");

    // The month is the tenant's: a new session, which spent nothing, pauses too.
    String other = "/v1/sessions/" + TestNode.newId("month-other");
    assertEquals(
        201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + other.substring(13) + "\"}").status());
    int asked = model.requests().size();
    JsonNode paused = pausedTurn(ADA, other);
    assertEquals(asked, model.requests().size(), "no model call started past the tenant budget");
    String otherApproval = api.get(ADA, other + "/approvals").json().at("/0/id").asText();
    assertEquals(
        200,
        api.post(ADA, other + "/approvals/" + otherApproval, "{\"decision\": \"deny\"}").status());
    assertEquals(
        "budget_exhausted",
        api.get(ADA, other + "/turns/" + paused.get("turnId").asText() + "?waitSeconds=10")
            .json()
            .at("/error/code")
            .asText());
    setBudgets(OLGA, "{}");
  }

  @Test
  void badBudgetsAreRefusedNamingTheFieldAndChangeNothing() {
    setBudgets(OLGA, "{\"monthlyTokens\": 5000, \"monthlyCost\": 2.5}");
    for (String[] bad :
        new String[][] {
          {"{\"monthlyTokens\": -1}", "budgets.monthlyTokens"},
          {"{\"monthlyTokens\": 1.5}", "budgets.monthlyTokens"},
          {"{\"monthlyCost\": -0.01}", "budgets.monthlyCost"},
          {"{\"monthlyCost\": \"5\"}", "budgets.monthlyCost"},
          {"[1]", "budgets"}
        }) {
      Response r =
          api.put(
              OLGA, "/v1/policy", "{\"tools\": {\"x\": \"deny\"}, \"budgets\": " + bad[0] + "}");
      assertEquals(400, r.status(), bad[0] + ": " + r);
      assertEquals(bad[1], r.json().at("/error/param").asText(), r.toString());
    }
    JsonNode policy = api.get(ADA, "/v1/policy").json();
    assertEquals(5000, policy.at("/budgets/monthlyTokens").asLong(), policy.toString());
    assertEquals("2.5", policy.at("/budgets/monthlyCost").asText());
    assertTrue(policy.get("tools").isEmpty(), "nothing changed");
    Response notOperator = api.put(ADA, "/v1/policy", "{\"tools\": {}, \"budgets\": {}}");
    assertEquals(403, notOperator.status(), notOperator.toString());
    setBudgets(OLGA, "{}");
  }

  @Test
  void metricsCountTokensAndCostPerTenant() {
    sessionThatSpent(ADA, OLGA);
    String text = api.get(null, "/metrics").text();
    assertTrue(
        text.lines().anyMatch(l -> l.startsWith("agent_model_cost_usd_total{tenant=\"acme\"}")),
        text);
    assertTrue(
        text.lines()
            .anyMatch(
                l ->
                    l.startsWith("agent_model_tokens_total{")
                        && l.contains("tenant=\"acme\"")
                        && l.contains("direction=\"input\"")),
        text);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** No runtime-run tool is called here. */
}
