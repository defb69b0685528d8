package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.http.Api.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every write endpoint takes an {@code Idempotency-Key} (decision 0034): a retry with the same key
 * answers the first outcome and changes nothing again; the same key with another request is a 409
 * {@code idempotency_key_reused} and changes nothing.
 */
class IdempotencyKeysApiTest {

  private final Api api = TestNode.shared().api;

  @Test
  void aMemoryWriteRetriedWithItsKeyWritesOnce() {
    String s = created();
    assertEquals(200, send("PUT", s + "/memory/colour", ADA, "\"blue\"", "m-1").status());
    long seq = lastSeq(s);

    Response retry = send("PUT", s + "/memory/colour", ADA, "\"blue\"", "m-1");

    assertEquals(200, retry.status(), retry.toString());
    assertEquals("blue", retry.json().at("/value").asText());
    assertEquals(seq, lastSeq(s), "the retry journaled nothing");
    assertReused(send("PUT", s + "/memory/colour", ADA, "\"red\"", "m-1"), s, seq);
    assertEquals("blue", api.get(ADA, s + "/memory/colour").json().asText());
  }

  @Test
  void aMemoryDeleteRetriedWithItsKeyAnswers200() {
    String s = created();
    assertEquals(200, send("PUT", s + "/memory/colour", ADA, "\"blue\"", null).status());
    assertEquals(200, send("DELETE", s + "/memory/colour", ADA, null, "d-1").status());
    long seq = lastSeq(s);

    Response retry = send("DELETE", s + "/memory/colour", ADA, null, "d-1");

    assertEquals(200, retry.status(), "the first outcome, not 404: " + retry);
    assertEquals(seq, lastSeq(s));
  }

  @Test
  void aToolConnectionAndDisconnectionRetriedWithTheirKeysChangeNothing() {
    String s = created();
    String tool = "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/echo\"}";
    assertEquals(200, send("PUT", s + "/tools/echo", ADA, tool, "t-1").status());
    long seq = lastSeq(s);
    assertEquals(200, send("PUT", s + "/tools/echo", ADA, tool, "t-1").status());
    assertEquals(seq, lastSeq(s));
    String other = "{\"kind\": \"http\", \"url\": \"http://127.0.0.1:9/other\"}";
    assertReused(send("PUT", s + "/tools/echo", ADA, other, "t-1"), s, seq);

    assertEquals(200, send("DELETE", s + "/tools/echo", ADA, null, "t-2").status());
    seq = lastSeq(s);
    Response retry = send("DELETE", s + "/tools/echo", ADA, null, "t-2");
    assertEquals(200, retry.status(), "the first outcome, not 404: " + retry);
    assertEquals(seq, lastSeq(s));
  }

  @Test
  void aPermissionsChangeRetriedWithItsKeyJournalsOnce() {
    String s = created();
    String policy = "{\"tools\": {\"*\": \"ask\"}}";
    assertEquals(200, send("PUT", s + "/permissions", ADA, policy, "p-1").status());
    long seq = lastSeq(s);

    assertEquals(200, send("PUT", s + "/permissions", ADA, policy, "p-1").status());

    assertEquals(seq, lastSeq(s), "the retry journaled no second change");
    assertReused(send("PUT", s + "/permissions", ADA, "{\"tools\": {}}", "p-1"), s, seq);
  }

  @Test
  void anApprovalDecisionRetriedWithItsKeyAnswersTheFirstDecision() {
    String s = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approvalId = api.get(ADA, s + "/approvals").json().get(0).get("id").asText();
    String deny = "{\"decision\": \"deny\", \"comment\": \"no\"}";
    Response first = send("POST", s + "/approvals/" + approvalId, ADA, deny, "a-1");
    assertEquals(200, first.status(), first.toString());

    Response retry = send("POST", s + "/approvals/" + approvalId, ADA, deny, "a-1");

    assertEquals(200, retry.status(), "the first outcome, not 409: " + retry);
    assertEquals(first.json().get("status"), retry.json().get("status"));
  }

  @Test
  void aCancelRetriedWithItsKeyAnswersTheCancelledTurn() {
    String s = created("{\"model\": \"stall\"}");
    Response sent = api.post(ADA, s + "/messages", "{\"content\": \"hm\"}");
    String turn = s + "/turns/" + sent.json().get("turnId").asText();
    assertEquals(200, send("POST", turn + "/cancel", ADA, null, "c-1").status());
    long seq = lastSeq(s);

    Response retry = send("POST", turn + "/cancel", ADA, null, "c-1");

    assertEquals(200, retry.status(), "the first outcome, not 409: " + retry);
    assertEquals("cancelled", retry.json().get("status").asText());
    assertEquals(seq, lastSeq(s));
  }

  @Test
  void aSuspendRetriedWithItsKeyAfterAResumeDoesNotSuspendAgain() {
    String s = created();
    assertEquals(200, send("POST", s + "/suspend", OLGA, "{}", "s-1").status());
    assertEquals(200, send("POST", s + "/resume", OLGA, null, "r-1").status());
    long seq = lastSeq(s);

    Response retry = send("POST", s + "/suspend", OLGA, "{}", "s-1");

    assertEquals(200, retry.status(), retry.toString());
    assertEquals("idle", retry.json().get("status").asText(), "the session as it is now");
    assertEquals(seq, lastSeq(s), "not suspended a second time");
  }

  @Test
  void closeTerminateAndEraseTakeAKeyAndAnswerTheSameAgain() {
    String closed = created();
    assertEquals(200, send("DELETE", closed, ADA, null, "x-1").status());
    assertEquals(200, send("DELETE", closed, ADA, null, "x-1").status());
    String terminated = created();
    assertEquals(200, send("POST", terminated + "/terminate", OLGA, null, "x-2").status());
    assertEquals(200, send("POST", terminated + "/terminate", OLGA, null, "x-2").status());
    String erased = created();
    assertEquals(200, send("POST", erased + "/erase", OLGA, null, "x-3").status());
    assertEquals(200, send("POST", erased + "/erase", OLGA, null, "x-3").status());
  }

  @Test
  void aKeyUsedForAMessageAndForAnotherRequestIsRefused() {
    String s = created();
    Response sent =
        send("POST", s + "/messages?waitSeconds=10", ADA, "{\"content\": \"hi\"}", "k-1");
    assertEquals(200, sent.status(), "the turn ended, so the session's sequence stands: " + sent);
    long seq = lastSeq(s);

    assertReused(send("PUT", s + "/memory/colour", ADA, "\"blue\"", "k-1"), s, seq);
    assertReused(send("POST", s + "/messages", ADA, "{\"content\": \"bye\"}", "k-1"), s, seq);
    assertEquals(200, send("PUT", s + "/memory/colour", ADA, "\"blue\"", "k-2").status());
    assertReused(send("POST", s + "/messages", ADA, "{\"content\": \"hi\"}", "k-2"), s, seq + 2);
  }

  @Test
  void aMalformedKeyIs400() {
    String s = created();
    for (Response r :
        List.of(
            send("PUT", s + "/memory/colour", ADA, "\"blue\"", "has space"),
            send("PUT", s, ADA, "{\"agent\": {\"model\": \"scripted\"}}", "k".repeat(201)),
            send("POST", s + "/suspend", OLGA, "{}", "a b"))) {
      assertEquals(400, r.status(), r.toString());
      assertEquals("invalid_field", r.errorCode());
    }
    assertEquals(1, lastSeq(s), "nothing changed");
  }

  private void assertReused(Response r, String session, long seq) {
    assertEquals(409, r.status(), r.toString());
    assertEquals("idempotency_key_reused", r.errorCode());
    assertEquals(seq, lastSeq(session), "a refused request changes nothing");
  }

  private String created() {
    return created("{\"model\": \"scripted\"}");
  }

  private String created(String agent) {
    String id = TestNode.newId("idem");
    Response r =
        api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", \"agent\": " + agent + "}");
    assertEquals(201, r.status(), r.toString());
    return "/v1/sessions/" + id;
  }

  private Response send(String method, String path, String key, String body, String idempotency) {
    return api.send(
        method,
        path,
        key,
        body,
        idempotency == null ? Map.of() : Map.of("Idempotency-Key", idempotency));
  }

  private long lastSeq(String session) {
    return api.get(ADA, session).json().get("lastSeq").asLong();
  }
}
