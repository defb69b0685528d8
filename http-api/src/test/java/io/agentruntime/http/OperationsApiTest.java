package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics and the OpenAPI document, none of which needs a key. */
class OperationsApiTest {

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
  void theOpenApiDocumentIsServed() {
    Response r = api.get(null, "/v1/openapi.json");
    assertEquals(200, r.status());
    assertEquals("3.1.0", r.json().get("openapi").asText());
  }

  /**
   * The document names exactly the routes the server serves, found by asking the server: every
   * method on every documented path, on each of their children named by a path literal of the route
   * sources, and on a child that a path parameter would match. Whatever answers other than 404
   * {@code not_found} or 405 is served and must be documented; whatever the document names must be
   * served. So a route added without its document, or a document naming a route that is gone, fails
   * here.
   */
  @Test
  void theDocumentNamesExactlyTheRoutesTheServerServes() throws Exception {
    Set<String> documented = documentedRoutes(api.get(null, "/v1/openapi.json").json());
    Set<String> literals = new TreeSet<>(RouteSources.pathLiterals());
    // The browser console's static files (ConsoleRoutes) are a page, not an API operation:
    // ConsoleApiTest proves how they are served.
    literals.remove("console");
    assertTrue(
        literals.containsAll(List.of("v1", "sessions", "health", "memory")),
        "route sources not found: " + literals);
    for (String literal : literals) {
      assertTrue(
          documented.stream().anyMatch(r -> r.contains("/" + literal)),
          "the routes use the path literal '" + literal + "' but no documented path has it");
    }
    String id = TestNode.newId("probe");
    assertEquals(201, api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());

    Set<String> templates = new TreeSet<>();
    documented.forEach(route -> templates.add(route.substring(route.indexOf(' ') + 1)));
    Set<String> prefixes = new TreeSet<>(List.of(""));
    for (String template : templates) {
      String[] parts = template.substring(1).split("/");
      for (int i = 1; i <= parts.length; i++) {
        prefixes.add("/" + String.join("/", Arrays.copyOf(parts, i)));
      }
    }
    Set<String> candidates = new TreeSet<>(templates);
    for (String prefix : prefixes) {
      List<String> children =
          new ArrayList<>(List.of(prefix.isEmpty() ? "/" : prefix, prefix + "/probe-child"));
      literals.forEach(literal -> children.add(prefix + "/" + literal));
      // A child that a documented template matches is probed as that template, with a valid value.
      children.stream().filter(c -> templateOf(c, templates).equals(c)).forEach(candidates::add);
    }

    Set<String> served = new TreeSet<>();
    for (String candidate : candidates) {
      String path =
          candidate
              .replaceAll("\\{[^}]+}", "probe-" + id.substring(id.indexOf('-') + 1))
              .replaceFirst("^/v1/sessions/probe-[^/]+", "/v1/sessions/" + id);
      for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
        String body =
            method.equals("POST") || method.equals("PUT") || method.equals("PATCH") ? "{}" : null;
        Response answer =
            api.send(
                method, path.endsWith("/events") ? path + "?after=-1" : path, ADA, body, Map.of());
        boolean notServed =
            answer.status() == 405
                || (answer.status() == 404 && "not_found".equals(answer.errorCode()));
        if (!notServed) {
          served.add(method + " " + templateOf(candidate, templates));
        }
      }
    }
    assertEquals(
        documented, served, "documented routes (expected) vs routes the server serves (actual)");
  }

  /** The documented template a probed path falls under, or the path itself when none. */
  private static String templateOf(String candidate, Set<String> templates) {
    return templates.stream()
        .filter(t -> candidate.matches(t.replaceAll("\\{[^}]+}", "[^/]+").replace(".", "\\.")))
        .findFirst()
        .orElse(candidate);
  }

  @Test
  void everyDocumentedOperationExistsAndDocumentsItsErrors() {
    JsonNode doc = api.get(null, "/v1/openapi.json").json();
    String id = TestNode.newId("oas");
    assertEquals(
        201,
        api.post(ADA, "/v1/sessions", "{\"id\": \"" + id + "\", \"memory\": {\"k\": 1}}").status());
    String turnId =
        api.post(ADA, "/v1/sessions/" + id + "/messages", "{\"content\": \"x\"}")
            .json()
            .get("turnId")
            .asText();
    for (String route : documentedRoutes(doc)) {
      String[] parts = route.split(" ");
      String path =
          parts[1]
              .replace("{id}", id)
              .replace("{key}", "k")
              .replace("{name}", "t")
              .replace("{turnId}", turnId)
              .replace("{approvalId}", "appr_x")
              .replace("{vault_id}", "vault_x")
              .replace("{credential_id}", "cred_x")
              .replace("{webhookId}", "we_x")
              .replace("{scheduleId}", "sched_x")
              .replace("{eventId}", "evt_x")
              .replace("{session_id}", id)
              .replace("{turn_id}", turnId)
              .replace("{agent_id}", "agent_x")
              .replace("{node}", "127.0.0.1:1");
      if (path.endsWith("/events")) {
        path += "?after=-1"; // a 400 shows the route is served without opening a stream
      }
      String body = parts[0].equals("GET") || parts[0].equals("DELETE") ? null : "{}";
      Response answer = api.send(parts[0], path, ADA, body, Map.of());
      assertTrue(
          answer.status() != 405
              && !(answer.status() == 404 && "not_found".equals(answer.errorCode())),
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
    doc.get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method -> {
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
