package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.GUS;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import io.agentruntime.runtime.testing.FakeReply;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One switch to stop a tenant (decision 0042), over HTTP on a real node: a suspended tenant's
 * session starts no model call (the answer of the one in flight is dropped), a new message is 409
 * {@code tenant_suspended}, another tenant goes on, and after resume the turn goes on and
 * completes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantSwitchApiTest {

  private FakeOpenAiServer model;
  private TestNode node;
  private Api api;

  @BeforeAll
  void start() {
    model = FakeOpenAiServer.start();
    node = TestNode.overModel(model, "");
    api = node.api;
  }

  @AfterAll
  void stop() {
    node.close();
    model.close();
  }

  private String session(String key) {
    String id = TestNode.newId("tenant");
    Response created =
        api.post(
            key, "/v1/sessions", "{\"id\": \"" + id + "\", \"agent\": {\"model\": \"default\"}}");
    assertEquals(201, created.status(), created.toString());
    return "/v1/sessions/" + id;
  }

  @Test
  void aSuspendedTenantStartsNoModelCallRefusesMessagesAndGoesOnOnceResumed() throws Exception {
    String session = session(ADA);
    model.enqueue(FakeReply.text("answered while suspended").delayed(Duration.ofSeconds(2)));
    Response accepted = api.post(ADA, session + "/messages", "{\"content\": \"hello\"}");
    assertEquals(202, accepted.status(), accepted.toString());
    String turnId = accepted.json().get("turnId").asText();
    ApiKeysTest.eventually(() -> model.requests().size() == 1);

    Response forbidden = api.post(ADA, "/v1/tenant/suspend", "{}");
    assertEquals(403, forbidden.status(), "a user is no operator: " + forbidden);
    Response suspended = api.post(OLGA, "/v1/tenant/suspend", "{}");
    assertEquals(200, suspended.status(), suspended.toString());
    assertTrue(suspended.json().get("suspended").asBoolean());
    assertTrue(api.get(BOB, "/v1/policy").json().get("suspended").asBoolean());
    try {
      Response refused = api.post(BOB, session(BOB) + "/messages", "{\"content\": \"more\"}");
      assertEquals(409, refused.status(), refused.toString());
      assertEquals("tenant_suspended", refused.errorCode());

      // The answer in flight lands after the switch: dropped, and nothing new is asked.
      Thread.sleep(5_000);
      assertEquals(1, model.requests().size(), "no model call started while suspended");
      JsonNode turn = api.get(ADA, session + "/turns/" + turnId).json();
      assertEquals("running", turn.get("status").asText(), turn.toString());

      String other = session(GUS);
      JsonNode globex =
          api.post(GUS, other + "/messages?waitSeconds=10", "{\"content\": \"hi\"}").json();
      assertEquals("completed", globex.get("status").asText(), "another tenant goes on");
      model.enqueue(FakeReply.text("after resume"));
    } finally {
      Response resumed = api.post(OLGA, "/v1/tenant/resume", "{}");
      assertEquals(200, resumed.status(), resumed.toString());
      assertFalse(resumed.json().get("suspended").asBoolean());
    }

    JsonNode done = api.get(ADA, session + "/turns/" + turnId + "?waitSeconds=10").json();
    assertEquals("completed", done.get("status").asText(), done.toString());
    assertEquals("after resume", done.get("output").asText());
    Response next = api.post(ADA, session + "/messages", "{\"content\": \"again\"}");
    assertEquals(202, next.status(), next.toString());
  }

  /** No runtime-run tool is called here. */
}
