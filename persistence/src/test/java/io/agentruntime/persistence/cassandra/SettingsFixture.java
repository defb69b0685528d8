package io.agentruntime.persistence.cassandra;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;

/** Settings from this module's reference.conf with the data and lib dirs set. */
final class SettingsFixture {

  private SettingsFixture() {}

  static ManagedCassandraSettings settings(Path dataDir) {
    return ManagedCassandraSettings.fromConfig(ConfigFactory.defaultReference())
        .withDataDir(dataDir)
        .withLibDir(dataDir.resolve("lib"));
  }
}
