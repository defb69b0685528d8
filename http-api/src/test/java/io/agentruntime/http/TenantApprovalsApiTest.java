package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GINA;
import static io.agentruntime.http.TestKeys.IVAN;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/approvals} over HTTP: the pending approvals of a tenant across its sessions,
 * oldest first, each with where to decide it; paged by cursor; never another tenant's.
 */
class TenantApprovalsApiTest {

  private final Api api = TestNode.shared().api;

  /** Every row {@code key} is shown, following the cursors, {@code limit} a page. */
  static List<JsonNode> allRows(Api api, String key, int limit) {
    List<JsonNode> rows = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 1000; pages++) {
      Response r =
          api.get(
              key,
              "/v1/approvals?status=pending&limit="
                  + limit
                  + (after == null ? "" : "&after=" + after));
      assertEquals(200, r.status(), r.toString());
      r.json().get("data").forEach(rows::add);
      JsonNode next = r.json().get("nextCursor");
      assertTrue(next != null, "nextCursor is always present: " + r);
      if (next.isNull()) {
        return rows;
      }
      after = next.asText();
    }
    throw new AssertionError("the cursors never ended");
  }

  private static List<JsonNode> rowsOf(List<JsonNode> rows, Set<String> sessionPaths) {
    return rows.stream()
        .filter(r -> sessionPaths.contains("/v1/sessions/" + r.get("sessionId").asText()))
        .toList();
  }

  @Test
  void pendingApprovalsOfEverySessionAreListedOldestFirstWithTheirDecisionUrl() throws Exception {
    String first = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String second = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    Set<String> mine = Set.of(first, second);
    ApiKeysTest.eventually(() -> rowsOf(allRows(api, ADA, 100), mine).size() == 2);

    List<JsonNode> rows = rowsOf(allRows(api, ADA, 100), mine);
    JsonNode a = rows.get(0);
    assertEquals(first, "/v1/sessions/" + a.get("sessionId").asText(), "oldest first");
    JsonNode perSession = api.get(ADA, first + "/approvals").json().get(0);
    for (String field : List.of("id", "turnId", "toolCallId", "tool", "reason", "requestedAt")) {
      assertEquals(perSession.get(field), a.get(field), field);
    }
    assertEquals("bob", a.at("/arguments/to").asText());
    assertEquals("policy", a.get("reason").asText());
    assertEquals("deny", a.get("onExpiry").asText());
    assertTrue(
        Instant.parse(a.get("expiresAt").asText())
            .isAfter(Instant.parse(a.get("requestedAt").asText())));
    assertEquals(first + "/approvals/" + a.get("id").asText(), a.get("decisionUrl").asText());
    assertFalse(
        Instant.parse(rows.get(1).get("requestedAt").asText())
            .isBefore(Instant.parse(a.get("requestedAt").asText())));

    Response decided = api.post(ADA, a.get("decisionUrl").asText(), "{\"decision\": \"approve\"}");
    assertEquals(200, decided.status(), decided.toString());
    List<JsonNode> after = rowsOf(allRows(api, ADA, 100), mine);
    assertEquals(1, after.size(), "a decided approval is never listed: " + after);
    assertEquals(second, "/v1/sessions/" + after.get(0).get("sessionId").asText());
  }

  @Test
  void pagesFollowTheCursorAndShowEachRowOnce() throws Exception {
    Set<String> mine =
        Set.of(
            ApprovalsApiTest.sessionAwaitingApproval(api, ADA),
            ApprovalsApiTest.sessionAwaitingApproval(api, ADA),
            ApprovalsApiTest.sessionAwaitingApproval(api, ADA));
    ApiKeysTest.eventually(() -> rowsOf(allRows(api, ADA, 100), mine).size() == 3);
    List<JsonNode> byOne = allRows(api, ADA, 1);
    List<String> ids = byOne.stream().map(r -> r.get("id").asText()).toList();
    assertEquals(ids.size(), Set.copyOf(ids).size(), "no row twice: " + ids);
    assertEquals(
        rowsOf(allRows(api, ADA, 100), mine).stream().map(r -> r.get("id").asText()).toList(),
        rowsOf(byOne, mine).stream().map(r -> r.get("id").asText()).toList());
    Response page = api.get(ADA, "/v1/approvals");
    assertEquals(200, page.status());
    assertTrue(page.json().get("data").size() <= 20, "the default page is 20");
  }

  @Test
  void eachKeySeesWhatItMaySeeAndAnotherTenantNothing() throws Exception {
    String adas = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    Set<String> mine = Set.of(adas);
    ApiKeysTest.eventually(() -> rowsOf(allRows(api, OLGA, 100), mine).size() == 1);
    assertEquals(1, rowsOf(allRows(api, ADA, 100), mine).size(), "the owner");
    assertEquals(0, rowsOf(allRows(api, BOB, 100), mine).size(), "another user of the tenant");
    assertEquals(0, rowsOf(allRows(api, IVAN, 100), mine).size(), "an approver owning nothing");
    assertEquals(0, rowsOf(allRows(api, GINA, 100), mine).size(), "another tenant's operator");
    String id = adas.substring("/v1/sessions/".length());
    for (JsonNode row : allRows(api, GINA, 100)) {
      assertFalse(row.get("sessionId").asText().equals(id), row.toString());
    }
  }

  @Test
  void badParametersAreRefusedNamingThem() {
    for (String[] c :
        new String[][] {
          {"status=decided", "status"},
          {"status=", "status"},
          {"limit=0", "limit"},
          {"limit=101", "limit"},
          {"limit=x", "limit"},
          {"after=not-a-cursor", "after"},
          {"after=" + "A".repeat(600), "after"},
        }) {
      Response r = api.get(ADA, "/v1/approvals?" + c[0]);
      assertEquals(400, r.status(), c[0] + ": " + r);
      assertEquals(c[1], r.json().at("/error/param").asText(), c[0] + ": " + r);
    }
    assertEquals(401, api.get(null, "/v1/approvals").status());
  }
}
