package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.Uri;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pekko Management as the node starts it, on an in-process cluster of one (no Cassandra needed): it
 * answers on loopback, and makes a member leave only where write routes are turned on. It has no
 * authentication, so with write routes anyone reaching the port could down any node.
 */
class ManagementRoutesTest {

  private ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void byDefaultManagementAnswersOnLoopbackAndRefusesToMakeAMemberLeave() throws Exception {
    Uri management = start(Map.of());
    assertEquals("127.0.0.1", management.host().address());
    HttpClientSupport operator = new HttpClientSupport(base(management), null);
    assertEquals(200, operator.get("/cluster/members").statusCode());

    HttpResponse<String> leave = leave(operator);
    assertEquals(405, leave.statusCode(), "PUT is not offered: " + leave.body());
    assertEquals(405, operator.delete(selfPath()).statusCode(), "nor DELETE (down)");
    Thread.sleep(500);
    assertEquals(MemberStatus.up(), Cluster.get(system).selfMember().status(), "still a member");
  }

  @Test
  void withWriteRoutesOnAnOperatorMakesTheMemberLeave() throws Exception {
    Uri management = start(Map.of("agent-runtime.node.management-write-routes", true));
    HttpClientSupport operator = new HttpClientSupport(base(management), null);

    HttpResponse<String> leave = leave(operator);
    assertEquals(200, leave.statusCode(), leave.body());
    // Leaving runs the coordinated shutdown, which terminates the actor system.
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The dev profile with {@code overrides}, on free ports, joined to itself and Up. */
  private Uri start(Map<String, Object> overrides) throws Exception {
    Config config =
        ConfigFactory.parseMap(overrides)
            .withFallback(
                ConfigFactory.parseMap(
                    Map.of(
                        "pekko.management.http.port",
                        0,
                        "pekko.remote.artery.canonical.port",
                        0,
                        "pekko.coordinated-shutdown.exit-jvm",
                        "off",
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook",
                        "off")))
            .withFallback(ConfigFactory.load("dev"));
    system = ActorSystem.create(Behaviors.empty(), Node.SYSTEM_NAME, config);
    ClusterMembership.join(system, List.of());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the node did not become Up");
      }
      Thread.sleep(50);
    }
    return Node.startManagement(system, NodeSettings.fromConfig(config))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private HttpResponse<String> leave(HttpClientSupport operator) {
    return operator.send(
        operator
            .request(selfPath())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")));
  }

  private String selfPath() {
    return "/cluster/members/" + Cluster.get(system).selfMember().address();
  }

  private static String base(Uri management) {
    return "http://" + management.host().address() + ":" + management.port();
  }
}
