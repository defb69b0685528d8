package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An approval nobody decided before its deadline is denied, and a late decision is a 409. */
class ApprovalExpiryTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("agent-runtime.turns.approval-timeout = 1s");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aDecisionAfterTheDeadlineIsAConflict() throws Exception {
    String session = ApprovalsApiTest.sessionAwaitingApproval(node.api, ADA);
    var approval = node.api.get(ADA, session + "/approvals").json().get(0);
    String approvalId = approval.get("id").asText();
    String turnId = approval.get("turnId").asText();
    ApiKeysTest.eventually(() -> node.api.get(ADA, session + "/approvals").json().isEmpty());

    Response late =
        node.api.post(ADA, session + "/approvals/" + approvalId, "{\"decision\": \"approve\"}");
    assertEquals(409, late.status(), late.toString());
    assertEquals("approval_decided", late.errorCode());
    assertEquals(
        "completed",
        node.api
            .get(ADA, session + "/turns/" + turnId + "?waitSeconds=10")
            .json()
            .get("status")
            .asText());
    assertEquals(
        "rejected",
        node.api.get(ADA, session + "/messages").json().at("/messages/2/outcome").asText());
  }
}
