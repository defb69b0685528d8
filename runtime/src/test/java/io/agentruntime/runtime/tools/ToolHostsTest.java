package io.agentruntime.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tool destinations the allow-list lets through. */
class ToolHostsTest {

  private static boolean allows(ToolHosts hosts, String url) {
    return hosts.allows(URI.create(url));
  }

  @Test
  void loopbackAllowsThisMachineInEveryNotation() {
    ToolHosts hosts = ToolHosts.loopbackOnly();
    for (String url :
        List.of(
            "http://127.0.0.1:9000/x",
            "http://127.1.2.3/x",
            "http://localhost:8080/x",
            "http://LOCALHOST./x",
            "http://[::1]:9000/mcp",
            "http://[0:0:0:0:0:0:0:1]/mcp",
            "https://127.0.0.1/x")) {
      assertTrue(allows(hosts, url), url);
    }
  }

  @Test
  void loopbackRefusesEverythingElse() {
    ToolHosts hosts = ToolHosts.loopbackOnly();
    for (String url :
        List.of(
            "http://example.com/x",
            "http://127.0.0.1.evil.com/x",
            "http://localhost.evil.com/x",
            "http://10.0.0.1/x",
            "http://128.0.0.1/x",
            "http://127.0.0.256/x",
            "http://[::2]/x",
            "http://2130706433/x")) {
      assertFalse(allows(hosts, url), url);
    }
  }

  @Test
  void exactHostsAndDomainSuffixes() {
    ToolHosts hosts = ToolHosts.parse(" tools.internal , *.example.com,, 10.0.0.7 ");

    assertEquals(List.of("tools.internal", "*.example.com", "10.0.0.7"), hosts.entries());
    assertTrue(allows(hosts, "http://tools.internal/send"));
    assertTrue(allows(hosts, "http://TOOLS.internal:8443/send"));
    assertTrue(allows(hosts, "https://api.example.com/x"));
    assertTrue(allows(hosts, "https://a.b.example.com/x"));
    assertTrue(allows(hosts, "http://10.0.0.7:9000/x"));
    assertFalse(allows(hosts, "https://example.com/x"), "the suffix pattern names subdomains only");
    assertFalse(allows(hosts, "https://evil-example.com/x"));
    assertFalse(allows(hosts, "https://tools.internal.evil.com/x"));
    assertFalse(allows(hosts, "http://127.0.0.1/x"), "loopback only when listed");
  }

  @Test
  void aWildcardAllowsAnyHost() {
    assertTrue(allows(ToolHosts.parse("*"), "https://anything.example/x"));
  }

  @Test
  void onlyHttpAndHttpsUrlsWithAHostAreAllowed() {
    ToolHosts hosts = ToolHosts.parse("*");

    assertTrue(hosts.refusal("ftp://127.0.0.1/x").orElseThrow().contains("http or https"));
    assertTrue(hosts.refusal("file:///etc/passwd").isPresent());
    assertTrue(hosts.refusal("http://bad_host/x").isPresent());
    assertTrue(hosts.refusal("not a url").isPresent());
    assertTrue(hosts.refusal((String) null).isPresent());
  }

  @Test
  void aRefusalNamesTheHostTheListAndTheSetting() {
    String message =
        ToolHosts.parse("tools.internal").refusal("http://evil.example/x").orElseThrow();

    assertTrue(message.contains("'evil.example'"), message);
    assertTrue(message.contains("[tools.internal]"), message);
    assertTrue(message.contains("AGENT_RUNTIME_TOOL_HOSTS"), message);
  }

  @Test
  void anEmptyListAllowsNothing() {
    assertFalse(allows(ToolHosts.parse(""), "http://127.0.0.1/x"));
  }
}
