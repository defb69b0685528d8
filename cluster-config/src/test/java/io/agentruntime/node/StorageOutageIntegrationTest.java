package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.persistence.cassandra.ManagedCassandra;
import io.agentruntime.persistence.cassandra.ManagedCassandraSettings;
import io.agentruntime.persistence.testing.TestCassandra;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cassandra goes away under a steady load of writes and comes back, while the node keeps running:
 * during the outage every request answers 503 with Retry-After when nothing was accepted, or 504
 * {@code outcome_unknown} with Retry-After when the node cannot tell (decision 0034; never another
 * 5xx, never a dropped connection), the node is alive but not ready; once Cassandra is back the
 * node serves writes again without a restart; every write that got a 2xx is in the journal, as a
 * new node reading the journal afterwards shows, checked against the client's own log of
 * acknowledged writes; and none that got a 503 is.
 */
class StorageOutageIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITERS = 4;

  @TempDir Path dir;
  private final ManagedCassandraSettings cassandraSettings =
      TestCassandra.nodeSettings(Path.of("target/outage-cassandra"), 19242, 17200, 17201);
  private ManagedCassandra cassandra;
  private final List<Node> nodes = new ArrayList<>();
  private final ExecutorService load = Executors.newFixedThreadPool(WRITERS);

  /** One answer the load got. */
  record Answer(long atMillis, String what, int status, String retryAfter, String error) {}

  /** A write that got a 2xx: the session, and the memory key it wrote (null for a create). */
  record Acknowledged(String session, String key, int value) {}

  @AfterEach
  void stop() {
    load.shutdownNow();
    nodes.forEach(n -> n.stop(Duration.ofSeconds(20)));
    if (cassandra != null) {
      cassandra.stop();
    }
  }

  @Test
  void writesAnswer503DuringAnOutageAndEveryAcknowledgedWriteSurvivesIt() throws Exception {
    deleteRecursively(cassandraSettings.dataDir());
    cassandra = ManagedCassandra.start(cassandraSettings);
    String keyspace = TestCassandra.uniqueKeyspaceName("outage_it");
    Path keys = TestKeysFile.write(dir);
    Node node = startNode(keyspace, keys);
    String base = TestNodes.baseUrl(node);
    HttpClientSupport ada = new HttpClientSupport(base, TestKeysFile.ADA);
    HttpClientSupport anonymous = new HttpClientSupport(base, null);

    List<Answer> answers = new CopyOnWriteArrayList<>();
    List<Acknowledged> acknowledged = new CopyOnWriteArrayList<>();
    List<Acknowledged> refused = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    long started = System.currentTimeMillis();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      load.submit(() -> write(ada, writer, running, started, answers, acknowledged, refused));
    }

    Thread.sleep(3000);
    long outageStarted = System.currentTimeMillis() - started;
    cassandra.stop();
    cassandra = null;
    List<Integer> readyDuring = new ArrayList<>();
    List<Integer> aliveDuring = new ArrayList<>();
    long outageEnds = System.currentTimeMillis() + 8000;
    while (System.currentTimeMillis() < outageEnds) {
      aliveDuring.add(anonymous.get("/health/alive").statusCode());
      readyDuring.add(anonymous.get("/health/ready").statusCode());
      Thread.sleep(500);
    }
    long outageEnded = System.currentTimeMillis() - started;
    cassandra = ManagedCassandra.start(cassandraSettings);
    long cassandraBack = System.currentTimeMillis() - started;

    long recoveryDeadline = System.currentTimeMillis() + 60_000;
    while (anonymous.get("/health/ready").statusCode() != 200) {
      assertTrue(
          System.currentTimeMillis() < recoveryDeadline,
          "the node did not become ready again: " + summary(answers));
      Thread.sleep(200);
    }
    long readyAgain = System.currentTimeMillis() - started;
    long servedAgain =
        awaitAcknowledgedAfter(acknowledged, answers, cassandraBack, recoveryDeadline);
    Thread.sleep(2000);
    running.set(false);
    load.shutdown();
    assertTrue(load.awaitTermination(60, TimeUnit.SECONDS));

    System.out.printf(
        "outage: Cassandra stopped at %d ms, started again at %d ms (up at %d ms); node ready again at %d ms,"
            + " first acknowledged write after the restart at %d ms; %s%n",
        outageStarted, outageEnded, cassandraBack, readyAgain, servedAgain, summary(answers));

    List<Answer> wrong =
        answers.stream()
            .filter(
                a ->
                    !(a.status >= 200 && a.status < 300)
                        && !(a.status == 503 && a.retryAfter != null)
                        && !(a.status == 504
                            && a.retryAfter != null
                            && a.error.contains("outcome_unknown")))
            .toList();
    assertEquals(
        List.of(),
        wrong,
        "every answer is a 2xx, a 503 with Retry-After or a 504 outcome_unknown with Retry-After");
    assertTrue(
        answers.stream()
            .anyMatch(a -> (a.status == 503 || a.status == 504) && a.atMillis > outageStarted),
        "the outage was noticed");
    assertTrue(aliveDuring.stream().allMatch(s -> s == 200), "alive throughout: " + aliveDuring);
    assertTrue(readyDuring.contains(503), "not ready during the outage: " + readyDuring);

    // The journal, read by a node that never saw the writes: everything acknowledged is there.
    node.stop(Duration.ofSeconds(30));
    nodes.remove(node);
    Node reader = startNode(keyspace, keys);
    HttpClientSupport check = new HttpClientSupport(TestNodes.baseUrl(reader), TestKeysFile.ADA);
    Map<String, JsonNode> memories = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    for (Acknowledged a : acknowledged) {
      JsonNode memory =
          memories.computeIfAbsent(
              a.session, s -> json(check.get("/v1/sessions/" + s + "/memory")));
      if (a.key == null
          ? memory == null
          : memory == null || memory.path(a.key).asInt(-1) != a.value) {
        missing.add(a.toString());
      }
    }
    assertEquals(
        List.of(),
        missing,
        "acknowledged writes missing from the journal (of " + acknowledged.size() + ")");
    List<Acknowledged> refusedButKept =
        refused.stream()
            .filter(
                r -> {
                  JsonNode memory =
                      memories.computeIfAbsent(
                          r.session, s -> json(check.get("/v1/sessions/" + s + "/memory")));
                  return memory != null && memory.has(r.key);
                })
            .toList();
    System.out.printf(
        "outage: %d acknowledged writes all in the journal; of %d writes answered 503, the journal holds %s%n",
        acknowledged.size(), refused.size(), refusedButKept);
    assertEquals(List.of(), refusedButKept, "a 503 accepted nothing");
  }

  private Node startNode(String keyspace, Path keys) {
    Map<String, Object> store =
        Map.of(
            "agent-runtime.cassandra.keyspace", keyspace,
            "agent-runtime.cassandra.contact-points",
                List.of(cassandraSettings.host() + ":" + cassandraSettings.nativePort()),
            "agent-runtime.cassandra.managed.native-port", cassandraSettings.nativePort());
    Map<String, Object> more =
        Map.of(
            "agent-runtime.session.ask-timeout",
            "3s",
            "agent-runtime.http.rate-limit.per-second",
            0);
    Node node = Node.start(TestNodes.config(ConfigFactory.parseMap(store), keys, more));
    nodes.add(node);
    return node;
  }

  /**
   * One writer's loop: each round writes a new memory key of its session, and every tenth round
   * creates a session; a write that gets a 2xx goes to the client's log.
   */
  private static void write(
      HttpClientSupport ada,
      int writer,
      AtomicBoolean running,
      long started,
      List<Answer> answers,
      List<Acknowledged> acknowledged,
      List<Acknowledged> refused) {
    String session = "load-" + writer + "-0";
    int round = 0;
    boolean created = false;
    while (running.get()) {
      round++;
      String what;
      HttpResponse<String> r;
      Acknowledged write;
      try {
        if (!created || round % 10 == 0) {
          String id = "load-" + writer + "-" + round;
          what = "create " + id;
          r = ada.put("/v1/sessions/" + id, "{\"memory\": {\"n\": 0}}");
          write = new Acknowledged(id, null, 0);
          if (r.statusCode() / 100 == 2) {
            session = id;
            created = true;
          }
        } else {
          String key = "k" + round;
          what = "write " + session + "/" + key;
          r = ada.put("/v1/sessions/" + session + "/memory/" + key, String.valueOf(round));
          write = new Acknowledged(session, key, round);
        }
      } catch (RuntimeException e) {
        answers.add(
            new Answer(
                System.currentTimeMillis() - started, "writer " + writer, -1, null, e.toString()));
        continue;
      }
      answers.add(
          new Answer(
              System.currentTimeMillis() - started,
              what,
              r.statusCode(),
              r.headers().firstValue("Retry-After").orElse(null),
              r.statusCode() / 100 == 2 ? null : r.body()));
      if (r.statusCode() / 100 == 2) {
        acknowledged.add(write);
      } else if (write.key != null && r.statusCode() == 503) {
        refused.add(write); // "nothing was accepted"; a 504 outcome_unknown may have been
      }
      if (r.statusCode() == 503 || r.statusCode() == 504) {
        sleep(200); // a client that honours Retry-After would wait longer; this one keeps the
        // pressure on
      }
    }
  }

  private static long awaitAcknowledgedAfter(
      List<Acknowledged> acknowledged, List<Answer> answers, long after, long deadline)
      throws InterruptedException {
    while (true) {
      for (Answer a : answers) {
        if (a.atMillis > after && a.status / 100 == 2) {
          return a.atMillis;
        }
      }
      assertTrue(
          System.currentTimeMillis() < deadline,
          "no write succeeded after Cassandra came back: " + summary(answers));
      Thread.sleep(100);
    }
  }

  private static String summary(List<Answer> answers) {
    Map<String, Integer> byStatus = new TreeMap<>();
    answers.forEach(
        a ->
            byStatus.merge(
                a.status + (a.error == null ? "" : " " + firstWords(a.error)), 1, Integer::sum));
    return answers.size() + " answers: " + byStatus;
  }

  private static String firstWords(String error) {
    return error.length() > 80 ? error.substring(0, 80) : error;
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> all = Files.walk(path)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
