package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.INA;
import static io.agentruntime.http.TestKeys.OLGA;
import static io.agentruntime.http.TestKeys.OTTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /v1/sessions?sort=cost} (decision 0063) over HTTP on a real node whose model reports
 * {@code usage} at configured prices: sessions that spent different amounts come back most
 * expensive first, in pages, each with what it spent; an operator sees the tenant's, anyone else
 * only their own, nobody another tenant's; a session that spends more moves up, a closed one stays
 * with its final cost; a bad {@code sort} or cursor is a 400 naming it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CostListingApiTest {

  private FakeOpenAiServer model;
  private TestNode node;
  private Api api;

  /** Acme's sessions, most expensive first, with what each spent. */
  private String adaBig;

  private String bobMid;
  private String adaSmall;
  private String adaIdle;
  private String gusHuge;

  @BeforeAll
  void start() {
    model = FakeOpenAiServer.start();
    node = TestNode.overModel(model, TestNode.PRICED_MODEL); // 1000 in + 500 out cost 1 + 1 = 2 USD
    api = node.api;
    adaBig = sessionThatSpent(ADA, 1000, 500); // 2 USD
    bobMid = sessionThatSpent(BOB, 400, 200); // 0.8 USD
    adaSmall = sessionThatSpent(ADA, 40, 20); // 0.08 USD
    adaIdle = created(ADA); // nothing
    gusHuge = sessionThatSpent(GUS, 100_000, 50_000); // 200 USD, in globex
    awaitListed(OLGA, List.of(adaBig, bobMid, adaSmall, adaIdle));
    awaitListed(OTTO, List.of(gusHuge));
  }

  @AfterAll
  void stop() {
    node.close();
    model.close();
  }

  private String created(String key) {
    String id = TestNode.newId("cost");
    Response r = api.post(key, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(201, r.status(), r.toString());
    return id;
  }

  private String sessionThatSpent(String key, long in, long out) {
    String id = created(key);
    turn(key, id, in, out);
    return id;
  }

  private void turn(String key, String id, long in, long out) {
    model.enqueue(FakeReply.text("done").usage(in, out));
    JsonNode turn =
        api.post(key, "/v1/sessions/" + id + "/messages?waitSeconds=10", "{\"content\": \"go\"}")
            .json();
    assertEquals("completed", turn.get("status").asText(), turn.toString());
  }

  private JsonNode page(String key, String query) {
    Response r = api.get(key, "/v1/sessions?sort=cost" + query);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("sessions").forEach(s -> ids.add(s.get("id").asText()));
    return ids;
  }

  /** Every page of the listing by cost, {@code limit} at a time. */
  private List<String> walk(String key, String query, int limit) {
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page =
          page(key, "&limit=" + limit + query + (cursor == null ? "" : "&cursor=" + cursor));
      assertTrue(page.get("sessions").size() <= limit, page.toString());
      seen.addAll(ids(page));
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null);
    return seen;
  }

  /** Waits until the listing by cost shows {@code ids}, in that order (it lags by the delay). */
  private void awaitListed(String key, List<String> ids) {
    long until = System.nanoTime() + 10_000_000_000L;
    List<String> seen = ids(page(key, ""));
    while (!seen.equals(ids)) {
      if (System.nanoTime() > until) {
        fail("listed " + seen + ", expected " + ids);
      }
      sleep(50);
      seen = ids(page(key, ""));
    }
  }

  private static JsonNode row(JsonNode page, String id) {
    for (JsonNode s : page.get("sessions")) {
      if (s.get("id").asText().equals(id)) {
        return s;
      }
    }
    throw new AssertionError(id + " not in " + page);
  }

  @Test
  void anOperatorSeesTheTenantsSessionsMostExpensiveFirstInPagesWithWhatEachSpent() {
    List<String> all = List.of(adaBig, bobMid, adaSmall, adaIdle);
    for (int limit : List.of(1, 2, 3, 10)) {
      assertEquals(all, walk(OLGA, "", limit), "limit " + limit);
    }
    JsonNode first = page(OLGA, "&limit=2");
    assertEquals(List.of(adaBig, bobMid), ids(first));
    JsonNode big = row(first, adaBig);
    assertEquals(1000, big.at("/usage/inputTokens").asLong(), big.toString());
    assertEquals(500, big.at("/usage/outputTokens").asLong(), big.toString());
    assertEquals(0, new BigDecimal("2").compareTo(big.at("/usage/costUsd").decimalValue()));
    assertEquals("ada", big.at("/owner/user").asText());
    JsonNode idle = row(page(OLGA, ""), adaIdle);
    assertEquals(0, idle.at("/usage/costUsd").decimalValue().signum(), idle.toString());
  }

  @Test
  void aUserSeesOnlyTheirOwnAndNobodySeesAnotherTenants() {
    assertEquals(List.of(adaBig, adaSmall, adaIdle), walk(ADA, "", 2));
    assertEquals(List.of(bobMid), walk(BOB, "", 2));
    assertEquals(List.of(gusHuge), walk(OTTO, "", 2));
    assertEquals(List.of(gusHuge), walk(GUS, "", 2));
    JsonNode page = page(OTTO, "");
    assertEquals(
        0, new BigDecimal("200").compareTo(row(page, gusHuge).at("/usage/costUsd").decimalValue()));
  }

  /** The listing of initech by cost (ina sees it all), only the sessions named, in its order. */
  private List<String> initechAmong(List<String> ids, String query) {
    return walk(INA, query, 1).stream().filter(ids::contains).toList();
  }

  private void awaitInitech(List<String> ids, String query) {
    long until = System.nanoTime() + 10_000_000_000L;
    while (!initechAmong(ids, query).equals(ids)) {
      if (System.nanoTime() > until) {
        fail("listed " + initechAmong(ids, query) + ", expected " + ids);
      }
      sleep(50);
    }
  }

  @Test
  void aSessionThatSpendsMoreMovesUpAndIsListedOnce() {
    // initech, so that acme's and globex's listings stay as the other tests expect.
    String steady = sessionThatSpent(INA, 400, 200); // 0.8 USD
    String climber = sessionThatSpent(INA, 10, 5); // 0.02 USD
    awaitInitech(List.of(steady, climber), "");
    turn(INA, climber, 2000, 1000); // + 4 USD
    awaitInitech(List.of(climber, steady), "");
    List<String> all = walk(INA, "", 1);
    assertEquals(1, all.stream().filter(climber::equals).count(), all.toString());
    assertEquals(1, all.stream().filter(steady::equals).count(), all.toString());
  }

  @Test
  void aClosedSessionIsListedWithItsFinalCostAndTheStatusFilterHolds() {
    String closing = sessionThatSpent(INA, 500, 250); // 1 USD
    String open = sessionThatSpent(INA, 40, 20); // 0.08 USD
    awaitInitech(List.of(closing, open), "");
    Response closed = api.delete(INA, "/v1/sessions/" + closing);
    assertEquals(200, closed.status(), closed.toString());

    awaitInitech(List.of(closing), "&status=closed");
    JsonNode page = page(INA, "&status=closed");
    assertEquals("closed", row(page, closing).get("status").asText());
    assertEquals(
        0, BigDecimal.ONE.compareTo(row(page, closing).at("/usage/costUsd").decimalValue()));
    assertEquals(List.of(open), initechAmong(List.of(closing, open), "&status=idle"));
    assertEquals(List.of(closing, open), initechAmong(List.of(closing, open), ""));
    // Acme's statuses, for a user: ada's sessions are all idle.
    assertEquals(List.of(adaBig, adaSmall, adaIdle), walk(ADA, "&status=idle", 1));
    assertEquals(List.of(), walk(ADA, "&status=closed", 1));
  }

  @Test
  void aBadSortOrCursorIsA400NamingItAndTheListingByIdIsAsBefore() {
    for (String query :
        List.of(
            "?sort=bogus", "?sort=-cost", "?sort=cost&cursor=" + adaBig, "?sort=cost&cursor=%7E")) {
      Response r = api.get(OLGA, "/v1/sessions" + query);
      assertEquals(400, r.status(), query + ": " + r);
      assertEquals("invalid_field", r.json().at("/error/code").asText(), r.toString());
      assertEquals(
          query.contains("cursor") ? "cursor" : "sort", r.json().at("/error/param").asText());
    }
    Response byId = api.get(OLGA, "/v1/sessions?limit=100");
    assertEquals(200, byId.status(), byId.toString());
    List<String> ids = ids(byId.json());
    assertEquals(ids.stream().sorted().toList(), ids, "by id, as before");
    assertTrue(ids.containsAll(List.of(adaBig, bobMid, adaSmall, adaIdle)), ids.toString());
    assertTrue(byId.json().at("/sessions/0/usage").isObject(), byId.json().toString());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
