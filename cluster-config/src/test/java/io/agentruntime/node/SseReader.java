package io.agentruntime.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads a session's event stream as a browser's EventSource would, on a thread of its own. */
final class SseReader implements AutoCloseable {

  /** One SSE event; {@code id} is null for deltas, which are not journaled. */
  record Event(String id, String type, String data) {}

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final InputStream body;
  private final Thread reader;

  private SseReader(InputStream body) {
    this.body = body;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static SseReader open(String url, String key, String lastEventId) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + key)
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new AssertionError("the event stream answered " + response.statusCode());
    }
    return new SseReader(response.body());
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  /** Waits until an event of {@code type} has arrived. */
  void awaitType(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (events.stream().noneMatch(e -> type.equals(e.type()))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + type + " event within " + timeout + "; got " + events);
      }
      Thread.sleep(50);
    }
  }

  private void read() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String type = "message";
      StringBuilder data = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, type, data.toString()));
          }
          id = null;
          type = "message";
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).strip());
        }
      }
    } catch (IOException e) {
      // the stream was closed
    }
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
