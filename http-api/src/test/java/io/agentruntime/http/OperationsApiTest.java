package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics and the OpenAPI document, none of which needs a key. */
class OperationsApiTest {

  private static final Set<String> ROUTES = new TreeSet<>(List.of(
      "GET /health/alive",
      "GET /health/ready",
      "GET /metrics",
      "GET /v1/openapi.json",
      "POST /v1/sessions",
      "GET /v1/sessions",
      "GET /v1/sessions/{id}",
      "PUT /v1/sessions/{id}",
      "DELETE /v1/sessions/{id}",
      "POST /v1/sessions/{id}/suspend",
      "POST /v1/sessions/{id}/resume",
      "POST /v1/sessions/{id}/terminate",
      "POST /v1/sessions/{id}/erase",
      "GET /v1/sessions/{id}/memory",
      "GET /v1/sessions/{id}/memory/{key}",
      "PUT /v1/sessions/{id}/memory/{key}",
      "DELETE /v1/sessions/{id}/memory/{key}",
      "PUT /v1/sessions/{id}/tools/{name}",
      "DELETE /v1/sessions/{id}/tools/{name}",
      "PUT /v1/sessions/{id}/permissions",
      "POST /v1/sessions/{id}/messages",
      "GET /v1/sessions/{id}/messages",
      "GET /v1/sessions/{id}/turns",
      "GET /v1/sessions/{id}/turns/{turnId}",
      "POST /v1/sessions/{id}/turns/{turnId}/cancel",
      "GET /v1/sessions/{id}/approvals",
      "POST /v1/sessions/{id}/approvals/{approvalId}",
      "GET /v1/sessions/{id}/events"));

  private final TestNode node = TestNode.shared();
  private final Api api = node.api;

  @Test
  void aliveAlwaysAndReadyOnlyWhenTheCheckSaysSo() {
    assertEquals(200, api.get(null, "/health/alive").status());
    assertEquals(200, api.get(null, "/health/ready").status());
    node.ready.set(false);
    try {
      Response notReady = api.get(null, "/health/ready");
      assertEquals(503, notReady.status());
      assertEquals("not_ready", notReady.errorCode());
      assertEquals(200, api.get(null, "/health/alive").status());
    } finally {
      node.ready.set(true);
    }
    assertEquals(200, api.get(null, "/health/ready").status());
  }

  @Test
  void theOpenApiDocumentIsServedAndListsExactlyTheRoutes() {
    Response r = api.get(null, "/v1/openapi.json");
    assertEquals(200, r.status());
    JsonNode doc = r.json();
    assertEquals("3.1.0", doc.get("openapi").asText());
    assertEquals(ROUTES, documentedRoutes(doc));
  }

  @Test
  void everyDocumentedOperationExistsAndDocumentsItsErrors() {
    JsonNode doc = api.get(null, "/v1/openapi.json").json();
    String id = TestNode.newId("oas");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", \"memory\": {\"k\": 1}}").status());
    String turnId = api.post(ADA, "/v1/sessions/" + id + "/messages", "{\"content\": \"x\"}").json().get("turnId").asText();
    for (String route : documentedRoutes(doc)) {
      String[] parts = route.split(" ");
      String path = parts[1].replace("{id}", id).replace("{key}", "k").replace("{name}", "t").replace("{turnId}", turnId)
          .replace("{approvalId}", "appr_x");
      if (path.endsWith("/events")) {
        path += "?after=-1"; // a 400 shows the route is served without opening a stream
      }
      String body = parts[0].equals("GET") || parts[0].equals("DELETE") ? null : "{}";
      Response answer = api.send(parts[0], path, ADA, body, Map.of());
      assertTrue(answer.status() != 405 && !(answer.status() == 404 && "not_found".equals(answer.errorCode())),
          route + " is not served: " + answer);

      JsonNode op = doc.at("/paths/" + parts[1].replace("/", "~1") + "/" + parts[0].toLowerCase());
      assertTrue(op.has("operationId"), route);
      assertTrue(op.get("responses").has("500"), route + " documents 500");
      if (parts[1].startsWith("/v1/sessions")) {
        for (String status : List.of("401", "403", "429", "503")) {
          assertTrue(op.get("responses").has(status), route + " documents " + status);
        }
      }
    }
  }

  @Test
  void everyReferenceInTheDocumentResolves() {
    JsonNode doc = api.get(null, "/v1/openapi.json").json();
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertFalse(refs.isEmpty());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/"), ref);
      assertFalse(doc.at(ref.substring(1)).isMissingNode(), "unresolved " + ref);
    }
  }

  private static Set<String> documentedRoutes(JsonNode doc) {
    Set<String> routes = new TreeSet<>();
    doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(method -> {
      if (!method.getKey().equals("parameters")) {
        routes.add(method.getKey().toUpperCase() + " " + path.getKey());
      }
    }));
    return routes;
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getKey().equals("$ref")) {
          refs.add(f.getValue().asText());
        } else {
          collectRefs(f.getValue(), refs);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, refs));
    }
  }
}
