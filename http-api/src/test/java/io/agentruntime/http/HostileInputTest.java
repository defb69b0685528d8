package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.INA;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentruntime.http.Api.Response;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input, on every operation of the served OpenAPI document: malformed JSON, every field of
 * the documented example with the wrong type, missing, huge, deeply nested or in odd Unicode, extra
 * fields, odd content types, bodies over the limit, and junk in path parameters, query parameters
 * and headers. The server never answers 5xx; every 4xx carries the error body with the request id
 * of its header (and a 400 for a field names it); a refused request writes nothing.
 */
class HostileInputTest {

  private static final TestNode node = TestNode.shared();
  private static final Api api = node.api;
  private static final JournalOf journal = new JournalOf(node.system);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String TENANT = "initech";
  private static List<DocumentedOperation> operations;

  /** One hostile request: what it tries, and the raw request parts. */
  record Attempt(
      String what,
      String method,
      String path,
      byte[] body,
      String contentType,
      Map<String, String> headers) {
    static Attempt json(String what, String method, String path, String body) {
      return new Attempt(
          what,
          method,
          path,
          body == null ? null : body.getBytes(UTF_8),
          "application/json",
          Map.of());
    }
  }

  private static JsonNode document;

  @BeforeAll
  static void readTheDocument() {
    document = api.get(null, "/v1/openapi.json").json();
    operations = DocumentedOperation.all(document);
  }

  /** The query parameters the document gives the operation, and one it does not know. */
  private static List<String> queryParameters(DocumentedOperation op) {
    List<String> names = new ArrayList<>(List.of("unknown"));
    op.operation()
        .path("parameters")
        .forEach(
            p -> {
              JsonNode resolved =
                  p.has("$ref") ? document.at(p.get("$ref").asText().substring(1)) : p;
              if ("query".equals(resolved.path("in").asText())) {
                names.add(resolved.path("name").asText());
              }
            });
    return names;
  }

  @Test
  void hostileBodiesAreRefusedWithTheErrorBodyAndWriteNothing() {
    List<String> failures = new ArrayList<>();
    for (DocumentedOperation op : operations) {
      if (!op.hasBody()) {
        continue;
      }
      FixtureSession target = FixtureSession.create(api, INA, "hostile");
      JsonNode example =
          op.exampleBody().orElseThrow(() -> new AssertionError(op + " has no example body"));
      for (Variant variant : bodyVariants(example)) {
        String createdId = TestNode.newId("made");
        JsonNode body = variant.body;
        if (op.template().equals("/v1/sessions")
            && body != null
            && body.isObject()
            && !body.has("id")) {
          body =
              ((ObjectNode) body.deepCopy())
                  .put("id", createdId); // so that a refused create can be checked
        }
        String path =
            op.template().equals("/v1/sessions/{id}")
                ? "/v1/sessions/" + createdId
                : target.path(op);
        byte[] bytes = variant.raw != null ? variant.raw : utf8(body);
        Response answer =
            attempt(
                failures,
                op,
                target,
                createdId,
                new Attempt(variant.what, op.method(), path, bytes, "application/json", Map.of()));
        if (variant.mustBeRefused && answer.status() < 400) {
          failures.add(op + " " + variant.what + ": accepted with " + answer.status());
        }
        if (variant.field != null
            && answer.status() == 400
            && "invalid_field".equals(answer.errorCode())
            && !answer.errorMessage().contains(variant.field)) {
          failures.add(
              op
                  + " "
                  + variant.what
                  + ": the message does not name "
                  + variant.field
                  + ": "
                  + answer);
        }
      }
      for (String contentType :
          List.of(
              "text/plain",
              "application/xml",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "application/jsonx",
              "image/png")) {
        String body = example.toString();
        Response answer =
            attempt(
                failures,
                op,
                target,
                null,
                new Attempt(
                    "as " + contentType,
                    op.method(),
                    target.path(op),
                    body.getBytes(UTF_8),
                    contentType,
                    Map.of()));
        expect(failures, op + " as " + contentType, answer, 415);
      }
      Response noType =
          attempt(
              failures,
              op,
              target,
              null,
              new Attempt(
                  "without a content type",
                  op.method(),
                  target.path(op),
                  example.toString().getBytes(UTF_8),
                  null,
                  Map.of()));
      expect(failures, op + " without a content type", noType, 415);
      // Announced over the limit: refused from the Content-Length alone, before the body is read (a
      // client writing the whole body first may see the connection close before it reads the 413).
      Map<String, String> overLimit =
          Map.of("Content-Length", Long.toString(node.settings.maxBodyBytes() + 1));
      expect(
          failures,
          op + " with a body over the limit",
          attempt(
              failures,
              op,
              target,
              null,
              new Attempt(
                  "huge body",
                  op.method(),
                  target.path(op),
                  "{".getBytes(UTF_8),
                  "application/json",
                  overLimit)),
          413);
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
  }

  @Test
  void hostilePathAndQueryValuesAreRefusedWithTheErrorBodyAndWriteNothing() {
    List<String> failures = new ArrayList<>();
    List<String> junk =
        List.of(
            "%00",
            "..",
            "%2E%2E",
            "a%2Fb",
            "%ZZ",
            "x".repeat(5000),
            "%C0%AF",
            "%ED%A0%80",
            "%E2%80%AEevil",
            "%FF",
            "%20",
            "%C3%A9",
            "%F0%9F%98%80",
            "_".repeat(65),
            "%0D%0AX-Injected:%201",
            "%",
            "'%22%3C%3E");
    for (DocumentedOperation op : operations) {
      FixtureSession target = FixtureSession.create(api, INA, "hostile");
      String body = op.exampleBody().map(JsonNode::toString).orElse(null);
      for (String param : op.pathParameters()) {
        for (String value : junk) {
          String path = op.path(name -> name.equals(param) ? value : target.params().get(name));
          attempt(
              failures,
              op,
              target,
              null,
              Attempt.json("{" + param + "} = " + shorten(value), op.method(), path, body));
        }
      }
      for (String name : queryParameters(op)) {
        for (String value : name.equals("unknown") ? junk.subList(0, 4) : junk) {
          String path = target.path(op) + "?" + name + "=" + value;
          attempt(
              failures,
              op,
              target,
              null,
              Attempt.json("?" + name + "=" + shorten(value), op.method(), path, body));
        }
      }
      for (String query :
          List.of(
              "?limit=1&limit=x",
              "?waitSeconds=99999999999999999999",
              "?after=-1",
              "?limit=0",
              "?waitSeconds=1e3",
              "?&&&",
              "?=",
              "?" + "a=1&".repeat(500))) {
        attempt(
            failures,
            op,
            target,
            null,
            Attempt.json(shorten(query), op.method(), target.path(op) + query, body));
      }
      for (Map.Entry<String, String> header :
          List.of(
              Map.entry("Idempotency-Key", "k".repeat(300)),
              Map.entry("Idempotency-Key", "é"),
              Map.entry("Idempotency-Key", " "),
              Map.entry("Last-Event-ID", "-1"),
              Map.entry("Last-Event-ID", "99999999999999999999999"),
              Map.entry("X-Request-Id", "x".repeat(5000)),
              Map.entry("Content-Length", "5"))) {
        attempt(
            failures,
            op,
            target,
            null,
            new Attempt(
                header.getKey() + ": " + shorten(header.getValue()),
                op.method(),
                target.path(op),
                body == null ? null : body.getBytes(UTF_8),
                body == null ? null : "application/json",
                Map.of(header.getKey(), header.getValue())));
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
  }

  /** Sends one attempt and checks what every answer must be; returns the answer. */
  private static Response attempt(
      List<String> failures,
      DocumentedOperation op,
      FixtureSession target,
      String createdId,
      Attempt a) {
    String before =
        journal.session(TENANT, target.id())
            + (createdId == null ? "" : journal.session(TENANT, createdId));
    Response answer = send(a);
    String where = op + " " + a.what + ": ";
    if (answer.status() >= 500) {
      failures.add(where + answer.status() + " " + shorten(answer.text()));
      return answer;
    }
    if (answer.status() < 400) {
      if (op.template().equals("/v1/tenant/suspend")) {
        // The tenant switch stops every session of the tenant: undone at once, so that the
        // operations tried next find their fixtures running.
        api.post(INA, "/v1/tenant/resume", "{}");
      }
      if (!a.method.equals("GET")) {
        settle(target); // an accepted change may go on (a turn runs): let it end before the next
        // attempt
      }
    } else {
      checkErrorBody(failures, where, answer);
      String after =
          journal.session(TENANT, target.id())
              + (createdId == null ? "" : journal.session(TENANT, createdId));
      if (!before.equals(after)) {
        failures.add(where + "refused with " + answer.status() + " but wrote to the journal");
      }
    }
    return answer;
  }

  private static void settle(FixtureSession target) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    String seen = journal.session(TENANT, target.id());
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      String now = journal.session(TENANT, target.id());
      if (now.equals(seen)
          && !"running"
              .equals(api.get(INA, "/v1/sessions/" + target.id()).json().path("status").asText())) {
        return;
      }
      seen = now;
    }
  }

  private static void checkErrorBody(List<String> failures, String where, Response answer) {
    JsonNode error;
    try {
      error = Api.JSON.readTree(answer.text()).path("error");
    } catch (Exception e) {
      failures.add(
          where + answer.status() + " without a JSON error body: " + shorten(answer.text()));
      return;
    }
    String requestId = answer.header("X-Request-Id").orElse("");
    if (error.path("code").asText().isEmpty()
        || error.path("message").asText().isEmpty()
        || requestId.isEmpty()
        || !requestId.equals(error.path("requestId").asText())) {
      failures.add(
          where
              + "not the standard error body: "
              + shorten(answer.text())
              + " (X-Request-Id "
              + requestId
              + ")");
    }
  }

  private static void expect(List<String> failures, String where, Response answer, int status) {
    if (answer.status() != status) {
      failures.add(
          where
              + ": expected "
              + status
              + ", got "
              + answer.status()
              + " "
              + shorten(answer.text()));
    }
  }

  /** Over the HTTP client when the URI is one; raw bytes on a socket when it is not. */
  private static Response send(Attempt a) {
    try {
      URI.create(api.base() + a.path);
    } catch (IllegalArgumentException notAUri) {
      return raw(a);
    }
    if (a.headers.isEmpty()) {
      return a.body == null
          ? api.send(a.method, a.path, INA, null, Map.of())
          : api.sendBytes(a.method, a.path, INA, a.body, a.contentType);
    }
    return raw(a);
  }

  private static Response raw(Attempt a) {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    StringBuilder head =
        new StringBuilder(
            a.method
                + " "
                + a.path
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer "
                + INA
                + "\r\nConnection: close\r\n");
    if (a.contentType != null) {
      head.append("Content-Type: ").append(a.contentType).append("\r\n");
    }
    a.headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    if (!a.headers.containsKey("Content-Length")) {
      head.append("Content-Length: ").append(a.body == null ? 0 : a.body.length).append("\r\n");
    }
    head.append("\r\n");
    request.writeBytes(head.toString().getBytes(UTF_8));
    if (a.body != null) {
      request.writeBytes(a.body);
    }
    try {
      String answer = api.raw(request.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
      int status = Integer.parseInt(answer.substring(9, 12));
      int split = answer.indexOf("\r\n\r\n");
      java.util.Map<String, List<String>> headers =
          new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      answer
          .substring(0, split)
          .lines()
          .skip(1)
          .forEach(
              line -> {
                int colon = line.indexOf(':');
                headers
                    .computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
              });
      String text =
          new String(
              answer.substring(split + 4).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
              UTF_8);
      return new Response(status, java.net.http.HttpHeaders.of(headers, (x, y) -> true), text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A hostile body: {@code field} is the name a 400 must name, when the variant changes one field.
   */
  private record Variant(
      String what, JsonNode body, byte[] raw, String field, boolean mustBeRefused) {
    Variant(String what, JsonNode body, byte[] raw, String field) {
      this(what, body, raw, field, false);
    }

    Variant refused() {
      return new Variant(what, body, raw, field, true);
    }
  }

  private static List<Variant> bodyVariants(JsonNode example) {
    List<Variant> variants = new ArrayList<>();
    for (String malformed :
        List.of(
            "{",
            "{\"a\": 1,}",
            "[1, 2",
            "nul",
            "{'a': 1}",
            "{} {}",
            "{\"a\": \"\u0001\"}",
            "{\"a\": 01}",
            "{\"a\": NaN}",
            "{\"a\": \"\\uZZZZ\"}",
            "\u0000",
            " ")) {
      variants.add(
          new Variant("malformed " + shorten(malformed), null, malformed.getBytes(UTF_8), null)
              .refused());
    }
    variants.add(
        new Variant(
                "overlong UTF-8",
                null,
                bytes("{\"a\": \"", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"),
                null)
            .refused());
    variants.add(
        new Variant(
                "UTF-8 of a lone surrogate",
                null,
                bytes("{\"a\": \"", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}"),
                null)
            .refused());
    variants.add(
        new Variant("a lone surrogate escape", null, "{\"a\": \"\\ud800\"}".getBytes(UTF_8), "a")
            .refused());
    variants.add(
        new Variant(
                "a lone surrogate escape in a name", null, "{\"\\udc00\": 1}".getBytes(UTF_8), null)
            .refused());
    variants.add(
        new Variant(
            "a byte order mark",
            null,
            bytes("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, example.toString()),
            null));
    variants.add(
        new Variant(
                "UTF-16",
                null,
                example.toString().getBytes(java.nio.charset.StandardCharsets.UTF_16),
                null)
            .refused());
    variants.add(
        new Variant("999 arrays deep", null, deep(999, true).getBytes(UTF_8), null).refused());
    variants.add(new Variant("90 arrays deep", null, deep(90, true).getBytes(UTF_8), null));
    variants.add(
        new Variant("1001 arrays deep", null, deep(1001, true).getBytes(UTF_8), null).refused());
    for (JsonNode other :
        List.of(
            NODES.arrayNode(),
            NODES.textNode("s"),
            NODES.numberNode(1),
            NODES.nullNode(),
            NODES.booleanNode(true))) {
      variants.add(new Variant("a body of " + other, other, null, null));
    }
    variants.add(
        new Variant("deeply nested body", null, deep(5000, true).getBytes(UTF_8), null).refused());
    variants.add(
        new Variant(
            "a huge field name",
            ((ObjectNode) objectOr(example)).put("k".repeat(200_000), 1),
            null,
            null));
    for (List<Object> path : paths(example, new ArrayList<>())) {
      String field = lastName(path);
      String at = path.toString();
      for (JsonNode wrong :
          List.of(
              NODES.numberNode(1),
              NODES.textNode("s"),
              NODES.booleanNode(false),
              NODES.nullNode(),
              NODES.arrayNode(),
              NODES.objectNode(),
              NODES.numberNode(1.5),
              NODES.numberNode(new java.math.BigInteger("9".repeat(40))))) {
        JsonNode original = get(example, path);
        if (original.getNodeType() != wrong.getNodeType()
            || original.isIntegralNumber() != wrong.isIntegralNumber()) {
          variants.add(
              new Variant(
                  at + " = " + shorten(wrong.toString()),
                  with(example, path, n -> wrong),
                  null,
                  field));
        }
      }
      variants.add(new Variant(at + " missing", without(example, path), null, null));
      variants.add(
          new Variant(
              at + " huge",
              with(example, path, n -> NODES.textNode("h".repeat(300_000))),
              null,
              field));
      for (String nesting : List.of(deep(5000, true), deep(990, false), deep(100, true))) {
        byte[] raw =
            new String(utf8(with(example, path, n -> NODES.textNode("__DEEP__"))), UTF_8)
                .replace("\"__DEEP__\"", nesting)
                .getBytes(UTF_8);
        variants.add(new Variant(at + " nested " + shorten(nesting), null, raw, field));
      }
      if (get(example, path).isTextual()) {
        for (String odd :
            List.of(
                "\ud800",
                "\udc00x",
                "a\u0000b",
                "\u202Eevil",
                "\uFEFF",
                "\uD834\uDD1E",
                "\u0085\u2028",
                "",
                " ",
                "\u00e9\u0301",
                "x".repeat(70_000))) {
          Variant v =
              new Variant(
                  at + " = " + shorten(escape(odd)),
                  with(example, path, n -> NODES.textNode(odd)),
                  null,
                  field);
          variants.add(odd.startsWith("\ud800") || odd.startsWith("\udc00") ? v.refused() : v);
        }
      }
      if (get(example, path).isObject()) {
        variants.add(
            new Variant(
                at + " with an extra field",
                with(
                    example,
                    path,
                    n ->
                        ((ObjectNode) n.deepCopy())
                            .set("zz_extra", NODES.objectNode().put("x", "y"))),
                null,
                null));
      }
    }
    if (example.isObject()) {
      variants.add(
          new Variant(
              "an extra field", ((ObjectNode) example.deepCopy()).put("zz_extra", 1), null, null));
    }
    return variants;
  }

  /**
   * As JSON in UTF-8; an unpaired surrogate is written as its escape (toString() would write a
   * '?').
   */
  private static byte[] utf8(JsonNode body) {
    try {
      return Api.JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode objectOr(JsonNode example) {
    return example.isObject() ? example.deepCopy() : NODES.objectNode();
  }

  /**
   * {@code depth} nested arrays or objects around a 1, as JSON text (a tree this deep cannot be
   * written).
   */
  private static String deep(int depth, boolean arrays) {
    return (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
  }

  /** Every node below the root, as paths of field names and array indexes. */
  private static List<List<Object>> paths(JsonNode node, List<Object> prefix) {
    List<List<Object>> out = new ArrayList<>();
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                List<Object> p = new ArrayList<>(prefix);
                p.add(e.getKey());
                out.add(p);
                out.addAll(paths(e.getValue(), p));
              });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(i);
        out.add(p);
        out.addAll(paths(node.get(i), p));
      }
    }
    return out;
  }

  private static JsonNode get(JsonNode root, List<Object> path) {
    JsonNode n = root;
    for (Object step : path) {
      n = step instanceof Integer i ? n.get(i) : n.get((String) step);
    }
    return n;
  }

  private static JsonNode with(
      JsonNode root, List<Object> path, Function<JsonNode, JsonNode> change) {
    JsonNode copy = root.deepCopy();
    JsonNode parent = get(copy, path.subList(0, path.size() - 1));
    Object last = path.get(path.size() - 1);
    JsonNode replacement = change.apply(get(copy, path));
    if (last instanceof Integer i) {
      ((ArrayNode) parent).set(i, replacement);
    } else {
      ((ObjectNode) parent).set((String) last, replacement);
    }
    return copy;
  }

  private static JsonNode without(JsonNode root, List<Object> path) {
    JsonNode copy = root.deepCopy();
    JsonNode parent = get(copy, path.subList(0, path.size() - 1));
    Object last = path.get(path.size() - 1);
    Consumer<JsonNode> remove =
        last instanceof Integer i
            ? p -> ((ArrayNode) p).remove(i)
            : p -> ((ObjectNode) p).remove((String) last);
    remove.accept(parent);
    return copy;
  }

  /** The name a message about this field must contain: the last field name on the path. */
  private static String lastName(List<Object> path) {
    for (int i = path.size() - 1; i >= 0; i--) {
      if (path.get(i) instanceof String s) {
        return s;
      }
    }
    return null;
  }

  private static byte[] bytes(String before, byte[] middle, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(UTF_8));
    out.writeBytes(middle);
    out.writeBytes(after.getBytes(UTF_8));
    return out.toByteArray();
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    s.chars()
        .forEach(
            c ->
                out.append(
                    c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
    return out.toString();
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s;
  }
}
