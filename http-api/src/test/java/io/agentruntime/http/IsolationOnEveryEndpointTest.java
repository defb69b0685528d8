package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation, proved on every operation of the OpenAPI document the node serves (a new
 * operation is driven as soon as it is documented): every key of the tests, against sessions of
 * both tenants, over real sockets. A session a principal may not see answers exactly as a session
 * that does not exist (404, or 403 when its key lacks the operation's roles); a principal that sees
 * it but lacks the roles gets 403; and neither writes anything to the session's journal. The roles
 * an operation needs are its documented security requirements, and the server is held to them both
 * ways: a principal that the document allows is not refused.
 */
class IsolationOnEveryEndpointTest {

  private static final TestNode node = TestNode.shared();
  private static final Api api = node.api;
  private static final JournalOf journal = new JournalOf(node.system);
  private static List<DocumentedOperation> operations;

  /** A principal of the keys file. */
  record Actor(String key, String tenant, String user, Set<String> roles) {
    boolean sees(Victim v) {
      return tenant.equals(v.tenant)
          && (roles.contains("user") || roles.contains("operator"))
          && (user.equals(v.owner) || roles.contains("operator"));
    }

    @Override
    public String toString() {
      return tenant + "/" + user + roles;
    }
  }

  /**
   * A session with something behind every path parameter: memory, a tool, a turn, a pending
   * approval.
   */
  record Victim(String tenant, String owner, String id, Map<String, String> params) {
    /** The same parameters under another session id. */
    Victim withId(String other) {
      Map<String, String> changed = new LinkedHashMap<>(params);
      changed.put("id", other);
      return new Victim(tenant, owner, other, changed);
    }

    String path(DocumentedOperation op) {
      return op.path(
          name -> {
            String value = params.get(name);
            if (value == null) {
              fail(
                  op
                      + ": the isolation test has no value for path parameter {"
                      + name
                      + "}; add one to Victim");
            }
            return value;
          });
    }
  }

  private static final List<Actor> ACTORS =
      TestKeys.ALL.stream()
          .map(e -> new Actor(e.key(), e.tenant(), e.user(), Set.copyOf(e.roles())))
          .toList();

  @BeforeAll
  static void readTheDocument() {
    operations = DocumentedOperation.all(api.get(null, "/v1/openapi.json").json());
  }

  @Test
  void aSessionThatAPrincipalMayNotSeeAnswersAsIfItDidNotExistAndStaysUntouched() {
    List<String> failures = new ArrayList<>();
    for (Actor owner : owners()) {
      Victim victim = victimOwnedBy(owner);
      String before = journal.session(victim.tenant, victim.id);
      for (Actor actor : ACTORS) {
        if (actor.sees(victim)) {
          continue;
        }
        for (DocumentedOperation op : sessionOperations()) {
          if (op.creates() && !actor.tenant.equals(victim.tenant)) {
            continue; // another tenant's create under the same id makes its own session: see below
          }
          Response answer = call(op, victim.path(op), actor);
          Response asIfMissing = call(op, victim.withId(TestNode.newId("missing")).path(op), actor);
          String where = op + " by " + actor + " on " + victim.owner + "'s session: ";
          if (op.creates()) {
            // Ids are the tenant's: a create under a taken one is refused and says no more.
            expect(
                failures,
                where,
                answer,
                actor.roles.contains("user") || actor.roles.contains("operator") ? 409 : 403);
          } else if (!op.allows(actor.roles)) {
            // Refused for its roles or for the session: either says nothing about the session,
            // as long as a missing session gets the same answer (checked below).
            if (!"role_missing".equals(code(answer))) {
              expect(failures, where, answer, 404);
            }
          } else {
            expect(failures, where, answer, 404);
            if (!"session_not_found".equals(code(answer))) {
              failures.add(where + "not session_not_found: " + answer);
            }
          }
          if (!op.creates()
              && (answer.status() != asIfMissing.status()
                  || !code(answer).equals(code(asIfMissing)))) {
            failures.add(
                where + answer + " differs from the answer for a missing session: " + asIfMissing);
          }
        }
      }
      if (!before.equals(journal.session(victim.tenant, victim.id))) {
        failures.add(
            owner.user + "'s session was written to: " + journal.session(victim.tenant, victim.id));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /**
   * A user's own vault, on every vault operation of the document: for every other principal
   * (another tenant's, another user's of the same tenant, an operator's) it answers exactly as a
   * vault that does not exist, and nothing is journaled for the tenant's vaults.
   */
  @Test
  void aVaultThatAPrincipalMayNotSeeAnswersAsIfItDidNotExistAndStaysUntouched() {
    List<String> failures = new ArrayList<>();
    List<DocumentedOperation> vaultOperations =
        operations.stream().filter(DocumentedOperation::isOnAVault).toList();
    assertFalse(vaultOperations.isEmpty(), "the document has vault operations");
    for (Actor owner : owners()) {
      Victim victim = victimOwnedBy(owner);
      String before = journal.vaults(victim.tenant);
      for (Actor actor : ACTORS) {
        if (actor.user.equals(owner.user)) {
          continue;
        }
        for (DocumentedOperation op : vaultOperations) {
          Response answer = call(op, victim.path(op), actor);
          Map<String, String> missing = new LinkedHashMap<>(victim.params);
          missing.put("vault_id", "vault_missing");
          Response asIfMissing =
              call(op, new Victim(victim.tenant, victim.owner, victim.id, missing).path(op), actor);
          String where = op + " by " + actor + " on " + victim.owner + "'s vault: ";
          if (!op.allows(actor.roles)) {
            expect(failures, where, answer, 403);
          } else if (answer.status() != 404 || !"vault_not_found".equals(code(answer))) {
            failures.add(where + "expected 404 vault_not_found, got " + answer);
          }
          if (answer.status() != asIfMissing.status() || !code(answer).equals(code(asIfMissing))) {
            failures.add(
                where + answer + " differs from the answer for a missing vault: " + asIfMissing);
          }
        }
      }
      if (!before.equals(journal.vaults(victim.tenant))) {
        failures.add(owner.user + "'s tenant's vaults were written to");
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void aPrincipalThatSeesTheSessionButLacksTheRolesIsRefusedWithoutAWrite() {
    List<String> failures = new ArrayList<>();
    for (Actor owner : owners()) {
      Victim victim = victimOwnedBy(owner);
      String before = journal.session(victim.tenant, victim.id);
      for (Actor actor : ACTORS) {
        for (DocumentedOperation op : sessionOperations()) {
          if (actor.sees(victim) && !op.allows(actor.roles)) {
            expect(
                failures,
                op + " by " + actor + " on " + owner.user + "'s session: ",
                call(op, victim.path(op), actor),
                403);
          }
        }
      }
      if (!before.equals(journal.session(victim.tenant, victim.id))) {
        failures.add(
            owner.user + "'s session was written to: " + journal.session(victim.tenant, victim.id));
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void aPrincipalThatTheDocumentAllowsIsServed() {
    List<String> failures = new ArrayList<>();
    for (Actor owner : owners()) {
      for (Actor actor : ACTORS) {
        if (!actor.sees(new Victim(owner.tenant, owner.user, "", Map.of()))) {
          continue;
        }
        for (DocumentedOperation op : sessionOperations()) {
          if (!op.allows(actor.roles)) {
            continue;
          }
          Victim scratch = victimOwnedBy(owner);
          Response answer = call(op, scratch.path(op), actor);
          boolean refused =
              answer.status() == 401
                  || answer.status() == 403
                  || answer.status() >= 500
                  || "session_not_found".equals(code(answer));
          if (refused) {
            failures.add(
                op + " by " + actor + " on " + owner.user + "'s session was refused: " + answer);
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void anotherTenantsCreateUnderTheSameIdMakesItsOwnSessionAndLeavesTheOtherAlone() {
    for (DocumentedOperation op :
        sessionOperations().stream().filter(DocumentedOperation::creates).toList()) {
      Victim victim = victimOwnedBy(actor("ada"));
      String before = journal.session(victim.tenant, victim.id);
      Actor gus = actor("gus");
      Response answer = call(op, victim.path(op), gus);
      assertEquals(201, answer.status(), op + ": " + answer);
      assertEquals("globex", answer.json().at("/owner/tenant").asText());
      assertEquals(before, journal.session(victim.tenant, victim.id));
    }
  }

  @Test
  void listsAndCreatesOutsideASessionNeverRevealOrTouchAnotherPrincipalsSession() {
    Map<Victim, String> victims = new LinkedHashMap<>();
    for (Actor owner : owners()) {
      Victim v = victimOwnedBy(owner);
      victims.put(v, journal.session(v.tenant, v.id));
    }
    List<String> failures = new ArrayList<>();
    for (DocumentedOperation op : operations) {
      if (op.isPublic()
          || op.isOnASession()
          || op.isOnAVault()
          || op.isOnAWebhookEndpoint()
          || op.isOnTheCluster()) {
        // a webhook endpoint's operations: see the test below; the cluster's (no session data,
        // operators of the tenants the node names only): ConsoleApiTest
        continue;
      }
      boolean onAnAgent = op.template().contains("{agent_id}");
      assertFalse(
          op.template().replace("{agent_id}", "").contains("{"),
          op + " has path parameters but is not on a session: teach this test about it");
      for (Actor actor : ACTORS) {
        Response answer =
            call(
                op,
                onAnAgent ? op.template().replace("{agent_id}", agentSeenBy(actor)) : op.template(),
                actor);
        String where = op + " by " + actor + ": ";
        if (!op.allows(actor.roles)) {
          expect(failures, where, answer, 403);
        } else if (answer.status() >= 400) {
          failures.add(where + "refused: " + answer);
        }
        victims.keySet().stream()
            .filter(v -> !actor.sees(v) && answer.text().contains(v.id))
            .forEach(v -> failures.add(where + "reveals " + v.owner + "'s session " + v.id));
      }
    }
    victims.forEach(
        (v, before) -> {
          if (!before.equals(journal.session(v.tenant, v.id))) {
            failures.add(v.owner + "'s session was written to: " + journal.session(v.tenant, v.id));
          }
        });
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void anotherTenantsWebhookEndpointAnswersAsOneThatDoesNotExistAndStaysUntouched() {
    Response made =
        api.post(
            TestKeys.OLGA,
            "/v1/webhooks",
            "{\"url\": \"http://127.0.0.1:9/hooks\", \"events\": [\"agent.session.failed\"]}");
    assertEquals(201, made.status(), made.toString());
    String hook = made.json().get("id").asText();
    String before = journal.webhooks("acme");
    List<String> failures = new ArrayList<>();
    for (DocumentedOperation op :
        operations.stream().filter(DocumentedOperation::isOnAWebhookEndpoint).toList()) {
      for (Actor actor : ACTORS) {
        if (actor.tenant.equals("acme") && op.allows(actor.roles)) {
          continue; // the owner's operator: WebhooksApiTest
        }
        Map<String, String> params = Map.of("webhookId", hook, "eventId", "evt_x");
        Map<String, String> missing = Map.of("webhookId", "we_missing", "eventId", "evt_x");
        Response answer = call(op, op.path(params::get), actor);
        Response asIfMissing = call(op, op.path(missing::get), actor);
        String where = op + " by " + actor + " on acme's endpoint: ";
        String expected = op.allows(actor.roles) ? "404 webhook_not_found" : "403 role_missing";
        if (!expected.equals(answer.status() + " " + code(answer))) {
          failures.add(where + "expected " + expected + ", got " + answer);
        }
        if (answer.status() != asIfMissing.status() || !code(answer).equals(code(asIfMissing))) {
          failures.add(where + answer + " differs from a missing endpoint's " + asIfMissing);
        }
      }
    }
    assertEquals(before, journal.webhooks("acme"), "acme's webhooks were written to");
    assertEquals(200, api.delete(TestKeys.OLGA, "/v1/webhooks/" + hook).status());
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void theDocumentNamesTheRolesOfEveryOperationAndNoRoleIsUnknown() {
    for (DocumentedOperation op : operations) {
      if (op.isPublic()) {
        assertFalse(op.template().startsWith("/v1/sessions"), op + " needs a key");
      }
      op.roleAlternatives()
          .forEach(
              roles ->
                  assertTrue(
                      Set.of("user", "approver", "operator").containsAll(roles),
                      op + ": " + roles));
      if (op.hasBody()) {
        assertTrue(
            op.exampleBody().isPresent(),
            op + " documents no example request body, which the proofs send");
      }
    }
  }

  /**
   * An agent is the tenant's: every operation on one, by any principal of another tenant, answers
   * as for an unknown agent (404 agent_not_found, or 403 without the roles) and leaves it as it
   * was.
   */
  @Test
  void anotherTenantsAgentAnswersAsIfItDidNotExistAndStaysUntouched() {
    List<String> failures = new ArrayList<>();
    for (Actor owner : owners()) {
      String agent = agentSeenBy(owner);
      String before = api.get(owner.key, "/v1/agents/" + agent).text();
      for (Actor actor : ACTORS) {
        if (actor.tenant.equals(owner.tenant)) {
          continue;
        }
        for (DocumentedOperation op : operations) {
          if (!op.template().contains("{agent_id}")) {
            continue;
          }
          Response answer = call(op, op.template().replace("{agent_id}", agent), actor);
          Response missing = call(op, op.template().replace("{agent_id}", "agent_missing"), actor);
          String where = op + " by " + actor + " on " + owner.user + "'s agent: ";
          int expected = op.allows(actor.roles) ? 404 : 403;
          if (answer.status() != expected || answer.status() != missing.status()) {
            failures.add(where + answer + " (an unknown agent: " + missing + ")");
          }
        }
      }
      if (!before.equals(api.get(owner.key, "/v1/agents/" + agent).text())) {
        failures.add(owner.user + "'s agent was changed");
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  /**
   * A fresh agent of the actor's tenant (made by the actor when it may, else by its tenant's
   * owner).
   */
  private static String agentSeenBy(Actor actor) {
    Actor maker =
        actor.roles.contains("user") || actor.roles.contains("operator")
            ? actor
            : owners().stream()
                .filter(o -> o.tenant.equals(actor.tenant))
                .findFirst()
                .orElseThrow();
    Response made = api.post(maker.key, "/v1/agents", "{\"model\": \"default\"}");
    assertEquals(200, made.status(), made.toString());
    return made.json().get("id").asText();
  }

  private static List<DocumentedOperation> sessionOperations() {
    return operations.stream().filter(DocumentedOperation::isOnASession).toList();
  }

  /** The principals that own sessions here: every key with the user role. */
  private static List<Actor> owners() {
    return ACTORS.stream().filter(a -> a.roles.contains("user")).toList();
  }

  private static Actor actor(String user) {
    return ACTORS.stream().filter(a -> a.user.equals(user)).findFirst().orElseThrow();
  }

  /** A fresh session of {@code owner} with something behind every path parameter. */
  private static Victim victimOwnedBy(Actor owner) {
    FixtureSession fixture = FixtureSession.create(api, owner.key, "victim");
    return new Victim(owner.tenant, owner.user, fixture.id(), fixture.params());
  }

  private static Response call(DocumentedOperation op, String path, Actor actor) {
    String body = op.hasBody() ? op.exampleBody().map(JsonNode::toString).orElse("{}") : null;
    return api.send(op.method(), path, actor.key, body, Map.of());
  }

  private static void expect(List<String> failures, String where, Response answer, int status) {
    String expectedCode =
        switch (status) {
          case 403 -> "role_missing";
          case 404 -> "session_not_found";
          case 409 -> "session_exists";
          default -> throw new IllegalArgumentException("no code for " + status);
        };
    if (answer.status() != status || !expectedCode.equals(code(answer))) {
      failures.add(where + "expected " + status + " " + expectedCode + ", got " + answer);
    }
  }

  private static String code(Response r) {
    try {
      return r.json().path("error").path("code").asText();
    } catch (AssertionError notJson) {
      return "";
    }
  }
}
