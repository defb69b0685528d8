package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentruntime.runtime.session.ScheduleEntity;
import io.agentruntime.runtime.session.SessionEntity;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules on a three-node cluster of real processes whose sessions have passivated: the node that
 * hosts most of the due schedules is killed with -9 as they come due, and every schedule still
 * fires exactly once, counted from each session's journaled turns read over HTTP (decision 0038).
 */
class ScheduleKillIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SESSIONS = 24;
  private static final int SHARDS = 100;

  @TempDir Path home;
  private ProcessCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyDueScheduleFiresExactlyOnceAcrossAKillOfItsNode() throws Exception {
    cluster = new ProcessCluster(home);
    // Sessions passivate after 2 s idle, so the schedules wake passivated sessions (10 s ahead of
    // their run, due in 25 s: not at once when it is set).
    cluster.jvmOptions =
        List.of(
            "-Dagent-runtime.turns.idle-timeout=2s", "-Dagent-runtime.schedules.wake-ahead=10s");
    for (int i = 0; i < 3; i++) {
      cluster.startNode();
    }
    cluster.awaitMembersUp(3);

    HttpClientSupport viaFirst = cluster.client(0);
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      String id = "sched-kill-" + i;
      assertEquals(201, viaFirst.put("/v1/sessions/" + id, "{}").statusCode());
      sessions.add(id);
    }
    Instant due = Instant.now().plusSeconds(25);
    Map<String, String> scheduleOf = new HashMap<>();
    for (String id : sessions) {
      HttpResponse<String> made =
          viaFirst.post(
              "/v1/sessions/" + id + "/schedules",
              "{\"message\": \"wake up\", \"at\": \"" + due + "\"}");
      assertEquals(201, made.statusCode(), made.body());
      scheduleOf.put(id, JSON.readTree(made.body()).get("id").asText());
    }

    // The node hosting the most schedule entities (never the seed, whose loss is another story).
    int victim = 1;
    int most = -1;
    for (int n = 1; n < 3; n++) {
      List<String> shards = cluster.shardsOf(n, ScheduleEntity.TYPE_KEY.name());
      int hosted = 0;
      for (String id : sessions) {
        if (shards.contains(shardOf(id))) {
          hosted++;
        }
      }
      if (hosted > most) {
        most = hosted;
        victim = n;
      }
    }
    assertTrue(most > 0, "node " + victim + " hosts due schedules");
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), due).toMillis()));
    cluster.node(victim).kill();
    System.out.println(
        "SCHEDULES killed node " + victim + " hosting " + most + " of " + SESSIONS + " at due");

    int survivor = victim == 1 ? 2 : 1;
    HttpClientSupport reader = cluster.client(survivor);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Map<String, Integer> fired = new HashMap<>();
    while (true) {
      fired.clear();
      for (String id : sessions) {
        fired.put(id, firings(reader, id, scheduleOf.get(id)));
      }
      if (fired.values().stream().allMatch(n -> n >= 1) || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(500);
    }
    // Whatever is left of a firing sent twice has had time to land.
    Thread.sleep(5_000);
    for (String id : sessions) {
      assertEquals(1, firings(reader, id, scheduleOf.get(id)), id + " fired exactly once");
      JsonNode left = JSON.readTree(reader.get("/v1/sessions/" + id + "/schedules").body());
      assertEquals(0, left.get("data").size(), id + "'s one-shot schedule is removed");
    }
  }

  /** The turns of the session named by the schedule's firings, from its journal, over HTTP. */
  private static int firings(HttpClientSupport reader, String session, String scheduleId) {
    try {
      HttpResponse<String> turns = reader.get("/v1/sessions/" + session + "/turns?limit=100");
      if (turns.statusCode() != 200) {
        return 0; // its shard is still moving
      }
      int n = 0;
      for (JsonNode t : JSON.readTree(turns.body()).get("turns")) {
        if (t.get("turnId").asText().startsWith("turn_" + scheduleId + "_")) {
          n++;
        }
      }
      return n;
    } catch (Exception e) {
      return 0;
    }
  }

  private static String shardOf(String session) {
    return Integer.toString(Math.abs(SessionEntity.entityId("acme", session).hashCode() % SHARDS));
  }
}
