package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The failover budget of ADR 0009, as the node's configuration sets it. A session must never run on
 * two nodes: after a partition, the minority downs itself and stops its sessions while the
 * majority's copy of them waits the removal margin. The margin covers the skew between the two
 * sides' decisions, which grows with the heartbeat interval, the reaper interval and the split
 * brain resolver's 1 s tick: whoever shortens the margin or slows heartbeats breaks this test.
 */
class FailoverBudgetTest {

  /** The split brain resolver decides on a tick of its own, fixed at 1 s in Pekko. */
  private static final Duration SBR_TICK = Duration.ofSeconds(1);

  /** Room for the minority to stop its sessions once it downed itself (local actor stops). */
  private static final Duration STOP = Duration.ofMillis(250);

  @Test
  void everyProfileKeepsTheMarginAboveTheSkewOfAPartition() {
    for (String profile : new String[] {"dev", "local", "prod", "kubernetes"}) {
      Config c = ConfigFactory.load(profile);
      assertTrue(
          margin(c).compareTo(skew(c).plus(STOP)) >= 0,
          profile + ": down-removal-margin " + margin(c) + " below the skew " + skew(c));
    }
  }

  @Test
  void theKubernetesOverridesKeepTheMarginAboveTheSkewToo() throws IOException {
    Map<String, String> env = kubernetesEnvironment();
    Config c =
        ConfigFactory.parseString(
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause = "
                    + env.get("AGENT_RUNTIME_HEARTBEAT_PAUSE")
                    + "\npekko.cluster.split-brain-resolver.stable-after = "
                    + env.get("AGENT_RUNTIME_SBR_STABLE_AFTER")
                    + "\npekko.cluster.down-removal-margin = "
                    + env.get("AGENT_RUNTIME_DOWN_REMOVAL_MARGIN"))
            .withFallback(ConfigFactory.load("kubernetes"));
    assertTrue(margin(c).compareTo(skew(c).plus(STOP)) >= 0, "margin " + margin(c));
    assertEquals(Duration.ofSeconds(5), stableAfter(c), "pods keep ADR 0007's stable-after");
  }

  @Test
  void aCrashCostsUnderEightSecondsOnOneMachine() {
    // Each step at its typical length (docs/decisions/0009-failover-budget.md): the detector fires
    // about 5.6 minimum standard deviations after heartbeat interval + pause; the resolver decides
    // at its next tick after stable-after (half a tick on average); removal takes a gossip round
    // and a leader round; a node holding requests asks again within a retry interval. Allocation
    // and recovery take what they measure, about 0.5 s.
    Config c = ConfigFactory.load("local");
    Config cluster = c.getConfig("pekko.cluster");
    Duration detection =
        cluster
            .getDuration("failure-detector.heartbeat-interval")
            .plus(cluster.getDuration("failure-detector.acceptable-heartbeat-pause"))
            .plus(
                cluster
                    .getDuration("failure-detector.min-std-deviation")
                    .multipliedBy(56)
                    .dividedBy(10))
            .plus(cluster.getDuration("unreachable-nodes-reaper-interval").dividedBy(2));
    Duration typical =
        detection
            .plus(stableAfter(c))
            .plus(SBR_TICK.dividedBy(2))
            .plus(cluster.getDuration("gossip-interval").dividedBy(2))
            .plus(cluster.getDuration("leader-actions-interval").dividedBy(2))
            .plus(margin(c))
            .plus(c.getDuration("pekko.cluster.sharding.retry-interval").dividedBy(2))
            .plus(Duration.ofMillis(500));
    assertTrue(typical.compareTo(Duration.ofSeconds(8)) < 0, "typical failover " + typical);
  }

  /** The most one side may decide after the other: heartbeat phase, reaper round, resolver tick. */
  private static Duration skew(Config c) {
    return c.getDuration("pekko.cluster.failure-detector.heartbeat-interval")
        .plus(c.getDuration("pekko.cluster.unreachable-nodes-reaper-interval"))
        .plus(SBR_TICK);
  }

  private static Duration margin(Config c) {
    return c.getDuration("pekko.cluster.down-removal-margin");
  }

  private static Duration stableAfter(Config c) {
    return c.getDuration("pekko.cluster.split-brain-resolver.stable-after");
  }

  private static Map<String, String> kubernetesEnvironment() throws IOException {
    String yaml = Files.readString(Path.of("kubernetes/config.yaml"));
    Map<String, String> env = new java.util.HashMap<>();
    Matcher m = Pattern.compile("(?m)^  (AGENT_RUNTIME_[A-Z_]+): \"([^\"]*)\"").matcher(yaml);
    while (m.find()) {
      env.put(m.group(1), m.group(2));
    }
    return env;
  }
}
