package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.Api.Response;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/** Session responses name the node hosting the session (here the only one), errors included. */
class NodeHeaderTest {

  private final TestNode node = TestNode.shared();
  private final Api api = node.api;

  private String thisNode() {
    Address self = Cluster.get(node.system).selfMember().address();
    return self.getHost().orElseThrow() + ":" + self.getPort().orElseThrow();
  }

  @Test
  void creatingReadingAndWritingASessionNameItsNode() {
    String id = TestNode.newId("node");
    Response created = api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}");
    assertEquals(201, created.status());
    assertEquals(Optional.of(thisNode()), created.header("X-Agent-Node"));

    assertEquals(
        Optional.of(thisNode()), api.get(ADA, "/v1/sessions/" + id).header("X-Agent-Node"));
    Response written = api.put(ADA, "/v1/sessions/" + id + "/memory/k", "42");
    assertEquals(200, written.status(), written.toString());
    assertEquals(Optional.of(thisNode()), written.header("X-Agent-Node"));
  }

  @Test
  void refusalsFromTheSessionNameTheNodeToo() {
    String id = TestNode.newId("node");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
    Response hidden = api.get(BOB, "/v1/sessions/" + id);
    assertEquals(404, hidden.status());
    assertEquals(Optional.of(thisNode()), hidden.header("X-Agent-Node"));
    assertTrue(hidden.header("X-Request-Id").isPresent());
  }

  @Test
  void nonSessionResponsesHaveNoNodeHeader() {
    assertEquals(Optional.empty(), api.get(null, "/health/alive").header("X-Agent-Node"));
    assertEquals(Optional.empty(), api.get(ADA, "/v1/sessions").header("X-Agent-Node"));
  }
}
