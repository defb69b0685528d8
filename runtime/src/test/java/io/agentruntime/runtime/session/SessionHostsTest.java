package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.junit.jupiter.api.Test;

/**
 * The shard of a session, as the node header caches it: the public typed extractor must put every
 * entity where the classic hash put it before, or the cache would name the wrong node.
 */
class SessionHostsTest {

  @Test
  void theTypedExtractorPutsEveryEntityInTheShardTheClassicHashDid() {
    for (int shards : new int[] {1, 7, 100, 1000}) {
      SessionHosts hosts = new SessionHosts(shards);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 2000; i++) {
        String entityId =
            SessionEntity.entityId(
                "tenant-" + (i % 13), i % 2 == 0 ? "s-" + i : UUID.randomUUID().toString());
        String classic = ShardRegion.HashCodeMessageExtractor$.MODULE$.shardId(entityId, shards);
        assertEquals(classic, hosts.shardOf(entityId), entityId + " with " + shards + " shards");
        seen.add(classic);
      }
      if (shards <= 100) {
        assertEquals(shards, seen.size(), "the sample reaches every shard");
      }
    }
  }

  @Test
  void aReplyNamesTheNodeOfEverySessionOfItsShard() {
    SessionHosts hosts = new SessionHosts(1);
    hosts.unwrap(
        SessionEntity.entityId("acme", "a"),
        new SessionReply.Hosted("10.0.0.1:2551", new SessionReply.Erased("a")));
    assertEquals("10.0.0.1:2551", hosts.hostOf(SessionEntity.entityId("acme", "b")).orElseThrow());
  }
}
