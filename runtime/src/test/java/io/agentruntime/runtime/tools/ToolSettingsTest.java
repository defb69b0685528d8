package io.agentruntime.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The settings file and what it yields. */
class ToolSettingsTest {

  private static Config shipped() {
    // Resolved without the environment: the defaults as shipped, whatever this machine sets.
    return ConfigFactory.parseResources("agent-runtime-tools.conf")
        .resolve(ConfigResolveOptions.noSystem());
  }

  @Test
  void theShippedDefaults() {
    ToolSettings settings = ToolSettings.fromConfig(shipped());

    assertEquals(List.of("loopback"), settings.allowedHosts().entries());
    assertEquals(Optional.empty(), settings.secretsFile());
    assertEquals(256 * 1024, settings.maxResultBytes());
    assertEquals(Duration.ofSeconds(30), settings.defaultTimeout());
    assertEquals(Duration.ofMinutes(10), settings.maxTimeout());
    assertEquals(1000, settings.mcp().maxClients());
    assertEquals(4 * 1024 * 1024, settings.mcp().maxMessageBytes());
  }

  @Test
  void theEnvironmentOverridesHostsAndTheSecretsFile() {
    Config withEnvironment =
        ConfigFactory.parseString(
                "AGENT_RUNTIME_TOOL_HOSTS = \"tools.internal,*.example.com\"\n"
                    + "AGENT_RUNTIME_SECRETS_FILE = \"/run/secrets/tools.json\"")
            .withFallback(ConfigFactory.parseResources("agent-runtime-tools.conf"))
            .resolve(ConfigResolveOptions.noSystem());

    ToolSettings settings = ToolSettings.fromConfig(withEnvironment);

    assertEquals(List.of("tools.internal", "*.example.com"), settings.allowedHosts().entries());
    assertEquals(Optional.of(Path.of("/run/secrets/tools.json")), settings.secretsFile());
  }

  @Test
  void aCallsTimeoutIsItsOwnBoundedByTheMaximum() {
    ToolSettings settings = ToolSettings.fromConfig(shipped());

    assertEquals(Duration.ofSeconds(5), settings.timeoutOf(call(Duration.ofSeconds(5))));
    assertEquals(Duration.ofSeconds(30), settings.timeoutOf(call(null)));
    assertEquals(Duration.ofSeconds(30), settings.timeoutOf(call(Duration.ZERO)));
    assertEquals(Duration.ofMinutes(10), settings.timeoutOf(call(Duration.ofHours(1))));
  }

  private static ToolInvocation call(Duration timeout) {
    return new ToolInvocation("acme", "s", null, "t", null, "k", timeout);
  }
}
