package io.agentruntime.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events client over a real socket, as a browser's EventSource reads the stream:
 * lines of {@code field: value}, an event per blank line (none without data); comment lines ({@code
 * :...}) are counted as heartbeats. A non-200 answer is read whole as {@link #errorBody()}.
 */
final class SseClient implements AutoCloseable {

  /** One event; {@code id} is null when the event had none. */
  record Event(String id, String type, String data) {
    JsonNode json() {
      try {
        return Api.JSON.readTree(data);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + data, e);
      }
    }

    long seq() {
      return Long.parseLong(id);
    }
  }

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final String errorBody;
  private volatile boolean ended;

  private SseClient(HttpResponse<InputStream> response) throws IOException {
    this.response = response;
    if (response.statusCode() != 200) {
      try (InputStream in = response.body()) {
        errorBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      ended = true;
      return;
    }
    errorBody = null;
    Thread reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  static SseClient open(Api api, String key, String path, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.base() + path))
            .GET()
            .header("Authorization", "Bearer " + key);
    headers.forEach(request::header);
    try {
      return new SseClient(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static SseClient open(Api api, String key, String path) {
    return open(api, key, path, Map.of());
  }

  int status() {
    return response.statusCode();
  }

  String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  JsonNode errorBody() {
    try {
      return Api.JSON.readTree(errorBody);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + errorBody, e);
    }
  }

  /** The next event, or null when none came within {@code timeout}. */
  Event next(Duration timeout) {
    try {
      return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Events until one satisfies {@code last} (included); fails when the stream goes quiet for 10 s
   * first.
   */
  List<Event> until(java.util.function.Predicate<Event> last) {
    List<Event> seen = new ArrayList<>();
    while (true) {
      Event e = next(Duration.ofSeconds(10));
      if (e == null) {
        throw new AssertionError("the stream went quiet; seen so far: " + seen);
      }
      seen.add(e);
      if (last.test(e)) {
        return seen;
      }
    }
  }

  /** Journaled events up to and including the one with id {@code seq}, deltas left out. */
  List<Event> journaledUpTo(long seq) {
    return until(e -> e.id() != null && e.seq() >= seq).stream()
        .filter(e -> e.id() != null)
        .toList();
  }

  int heartbeats() {
    return heartbeats.get();
  }

  /** True once the server ended the stream. */
  boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    if (errorBody == null) {
      try {
        response.body().close();
      } catch (IOException ignored) {
        // closing is what ends the stream
      }
    }
  }

  private void read() {
    String id = null;
    String type = null;
    StringBuilder data = null;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            events.add(new Event(id, type == null ? "message" : type, data.toString()));
          }
          id = null;
          type = null;
          data = null;
        } else if (line.startsWith(":")) {
          heartbeats.incrementAndGet();
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
          switch (field) {
            case "id" -> id = value;
            case "event" -> type = value;
            case "data" ->
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> {}
          }
        }
      }
    } catch (IOException e) {
      // closed by the test, or the connection dropped
    } finally {
      ended = true;
    }
  }
}
