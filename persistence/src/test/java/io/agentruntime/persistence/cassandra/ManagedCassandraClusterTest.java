package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedCassandraClusterTest {

  @TempDir Path dir;

  @Test
  void threeMembersOnTheirOwnAddressesShareTheSeedAndSplitTheRing() {
    List<ManagedCassandraSettings> members =
        ManagedCassandraCluster.members(
            SettingsFixture.settings(dir).withPorts(19342, 17300, 17301), 3);

    assertEquals(
        List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"),
        members.stream().map(ManagedCassandraSettings::host).toList());
    assertEquals(
        List.of("-9223372036854775808", "-3074457345618258603", "3074457345618258602"),
        members.stream().map(ManagedCassandraSettings::foundingToken).toList());
    for (int i = 0; i < 3; i++) {
      ManagedCassandraSettings member = members.get(i);
      assertEquals(List.of("127.0.0.1:17300"), member.seeds());
      assertEquals(19342, member.nativePort(), "same ports, other addresses");
      assertEquals(dir.resolve("node" + (i + 1)).toAbsolutePath(), member.dataDir());
    }
  }

  @Test
  void aClusterHasOneToNineNodes() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ManagedCassandraCluster.members(SettingsFixture.settings(dir), 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> ManagedCassandraCluster.members(SettingsFixture.settings(dir), 10));
  }
}
