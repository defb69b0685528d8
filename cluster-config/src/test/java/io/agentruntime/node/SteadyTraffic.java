package io.agentruntime.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A client that keeps writing while the cluster changes under it, as a well-behaved client of the
 * API would: one write after the other, round-robin over the sessions and over the entry nodes it
 * is given, and a write answered 503 (or not answered at all) is tried again, up to {@code
 * giveUpAfter}. It remembers the last value each session acknowledged, to check afterwards that no
 * acknowledged write was lost.
 */
final class SteadyTraffic implements AutoCloseable {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** What the client saw. {@code maxWriteMillis} includes the retries of a write. */
  record Summary(
      int writes,
      int retries,
      int failedForGood,
      long maxWriteMillis,
      Map<Integer, Integer> statuses) {
    @Override
    public String toString() {
      return writes
          + " writes acknowledged, "
          + retries
          + " retried attempts "
          + statuses
          + ", "
          + failedForGood
          + " failed for good, slowest write "
          + maxWriteMillis
          + " ms";
    }
  }

  private final List<String> sessions;
  private final Supplier<List<String>> entryUrls;
  private final String key;
  private final Duration giveUpAfter;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private final Map<String, Integer> acknowledged = new HashMap<>();
  private final Map<Integer, Integer> statuses = new HashMap<>();
  private int writes;
  private int retries;
  private int failedForGood;
  private long maxWriteMillis;

  private SteadyTraffic(
      List<String> sessions, Supplier<List<String>> entryUrls, String key, Duration giveUpAfter) {
    this.sessions = sessions;
    this.entryUrls = entryUrls;
    this.key = key;
    this.giveUpAfter = giveUpAfter;
    this.thread = new Thread(this::run, "steady-traffic");
  }

  /**
   * Starts writing {@code memory/traffic} of each session through the nodes {@code entryUrls} names
   * at the time.
   */
  static SteadyTraffic start(List<String> sessions, Supplier<List<String>> entryUrls, String key) {
    SteadyTraffic traffic = new SteadyTraffic(sessions, entryUrls, key, Duration.ofSeconds(45));
    traffic.thread.start();
    return traffic;
  }

  private void run() {
    int value = 0;
    while (running.get()) {
      value++;
      String session = sessions.get(value % sessions.size());
      long started = System.nanoTime();
      boolean done = write(session, value, started + giveUpAfter.toNanos());
      long millis = (System.nanoTime() - started) / 1_000_000;
      synchronized (this) {
        maxWriteMillis = Math.max(maxWriteMillis, millis);
        if (done) {
          writes++;
          acknowledged.put(session, value);
        } else {
          failedForGood++;
        }
      }
      pause(20);
    }
  }

  private boolean write(String session, int value, long giveUpAt) {
    for (int attempt = 0; System.nanoTime() < giveUpAt; attempt++) {
      List<String> entries = entryUrls.get();
      String entry = entries.get((value + attempt) % entries.size());
      int status;
      try {
        status =
            CLIENT
                .send(
                    HttpRequest.newBuilder(
                            URI.create(entry + "/v1/sessions/" + session + "/memory/traffic"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(Integer.toString(value)))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (IOException e) {
        status = 0; // not answered: connection refused or reset, or timed out
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      synchronized (this) {
        statuses.merge(status, 1, Integer::sum);
      }
      if (status == 200) {
        return true;
      }
      if (status != 503 && status != 0) {
        return false; // anything else is not worth repeating: a failure for good
      }
      synchronized (this) {
        retries++;
      }
      pause(100);
    }
    return false;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What was seen so far; the counters start again from zero. */
  synchronized Summary takeSummary() {
    Summary summary =
        new Summary(writes, retries, failedForGood, maxWriteMillis, Map.copyOf(statuses));
    writes = 0;
    retries = 0;
    failedForGood = 0;
    maxWriteMillis = 0;
    statuses.clear();
    return summary;
  }

  /** The last value each session acknowledged. */
  synchronized Map<String, Integer> acknowledged() {
    return Map.copyOf(acknowledged);
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while stopping the traffic", e));
    }
  }
}
