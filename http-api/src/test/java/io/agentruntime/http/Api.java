package io.agentruntime.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A client of the API over a real socket, for tests. */
final class Api {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String base;
  private final String host;
  private final int port;

  Api(InetSocketAddress address) {
    this.host = address.getHostString();
    this.port = address.getPort();
    this.base = "http://" + host + ":" + port;
  }

  /** One answer: status, headers and the body parsed as JSON (null when it is not JSON). */
  record Response(int status, java.net.http.HttpHeaders headers, String text) {
    JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text, e);
      }
    }

    Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    String errorCode() {
      return json().path("error").path("code").asText();
    }

    String errorMessage() {
      return json().path("error").path("message").asText();
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  Response get(String key, String path) {
    return send("GET", path, key, null, Map.of());
  }

  Response delete(String key, String path) {
    return send("DELETE", path, key, null, Map.of());
  }

  Response post(String key, String path, String json) {
    return send("POST", path, key, json, Map.of());
  }

  Response put(String key, String path, String json) {
    return send("PUT", path, key, json, Map.of());
  }

  /**
   * Sends {@code body} (if any) as application/json unless {@code headers} names a Content-Type.
   */
  Response send(String method, String path, String key, String body, Map<String, String> headers) {
    Map<String, String> all = new LinkedHashMap<>();
    if (body != null) {
      all.put("Content-Type", "application/json");
    }
    if (key != null) {
      all.put("Authorization", "Bearer " + key);
    }
    all.putAll(headers);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    all.forEach(
        (name, value) -> {
          if (value != null) {
            request.header(name, value);
          }
        });
    return send(request.build());
  }

  /** Sends {@code body} as bytes with {@code contentType} (none when null). */
  Response sendBytes(String method, String path, String key, byte[] body, String contentType) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return send(request.build());
  }

  /**
   * The answer; an event stream is not read (its text is empty) but closed, as it would never end.
   */
  Response send(HttpRequest request) {
    try {
      HttpResponse<java.io.InputStream> r =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream body = r.body()) {
        boolean stream =
            r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
        String text =
            stream ? "" : new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new Response(r.statusCode(), r.headers(), text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends {@code request} as bytes on a fresh connection and returns what came back. */
  String raw(String request) throws IOException {
    try (java.net.Socket socket = new java.net.Socket(host, port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      java.io.InputStream in = socket.getInputStream();
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (java.net.SocketTimeoutException e) {
          break;
        }
        if (n < 0) {
          break;
        }
        answer.write(buffer, 0, n);
        String sofar = answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        int headerEnd = sofar.indexOf("\r\n\r\n");
        if (headerEnd > 0
            && sofar
                .substring(0, headerEnd)
                .toLowerCase()
                .contains("content-type: text/event-stream")) {
          break; // a stream never ends: its head is the answer
        }
        if (headerEnd > 0
            && sofar.lines().anyMatch(l -> l.toLowerCase().startsWith("content-length:"))) {
          int length =
              Integer.parseInt(
                  sofar
                      .lines()
                      .filter(l -> l.toLowerCase().startsWith("content-length:"))
                      .findFirst()
                      .orElseThrow()
                      .substring(15)
                      .trim());
          if (sofar.length() - headerEnd - 4 >= length) {
            break;
          }
        }
      }
      return answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  String base() {
    return base;
  }
}
