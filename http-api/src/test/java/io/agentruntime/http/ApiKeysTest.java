package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentruntime.http.auth.ApiKey;
import io.agentruntime.http.auth.KeysFile;
import io.agentruntime.http.auth.KeysFile.InvalidKeysFile;
import io.agentruntime.http.auth.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys file: what it accepts, its reload without a restart, and the dev key. */
class ApiKeysTest {

  private final TestNode node = TestNode.shared();

  @TempDir Path dir;

  @Test
  void aValidFileMapsHashesToPrincipals() {
    List<ApiKey> keys =
        KeysFile.parse(
            ("[{\"sha256\": \""
                    + TestKeys.sha256Hex("k1").toUpperCase()
                    + "\", \"tenant\": \"acme\", \"user\": \"ada.l\", \"roles\": [\"user\", \"approver\"]}]")
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(1, keys.size());
    assertEquals(TestKeys.sha256Hex("k1"), keys.get(0).id());
    assertEquals("acme", keys.get(0).principal().tenant());
    assertEquals("ada.l", keys.get(0).principal().user());
    assertEquals(Set.of(Role.USER, Role.APPROVER), keys.get(0).principal().roles());
  }

  @Test
  void aBrokenFileIsRefusedAsAWholeSayingWhy() {
    String hash = TestKeys.sha256Hex("k1");
    List<String> broken =
        List.of(
            "not json",
            "{\"sha256\": \"" + hash + "\"}",
            "[{\"sha256\": \"k1\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": []}]",
            "[{\"sha256\": \""
                + hash
                + "\", \"tenant\": \"ac me\", \"user\": \"ada\", \"roles\": []}]",
            "[{\"sha256\": \""
                + hash
                + "\", \"tenant\": \"acme\", \"user\": \""
                + "u".repeat(65)
                + "\", \"roles\": []}]",
            "[{\"sha256\": \""
                + hash
                + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"admin\"]}]",
            "[{\"sha256\": \"" + hash + "\", \"tenant\": \"acme\", \"user\": \"ada\"}]",
            "[{\"sha256\": \""
                + hash
                + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": []},"
                + " {\"sha256\": \""
                + hash
                + "\", \"tenant\": \"acme\", \"user\": \"bob\", \"roles\": []}]");
    for (String file : broken) {
      InvalidKeysFile e =
          assertThrows(
              InvalidKeysFile.class,
              () -> KeysFile.parse(file.getBytes(StandardCharsets.UTF_8)),
              file);
      assertTrue(
          !e.getMessage().contains(hash), "the message never repeats a hash: " + e.getMessage());
    }
  }

  @Test
  void aRewrittenKeysFileTakesEffectWithoutARestartAndABrokenOneKeepsTheKeys() throws Exception {
    Path keys = dir.resolve("keys.json");
    TestKeys.write(keys, List.of(new TestKeys.Entry("key-one", "acme", "one", List.of("user"))));
    HttpServer server = node.serve("", keys);
    try {
      Api api = new Api(server.address());
      assertEquals(200, api.get("key-one", "/v1/sessions").status());
      assertEquals(401, api.get("key-two", "/v1/sessions").status());

      TestKeys.write(
          keys,
          List.of(
              new TestKeys.Entry("key-two", "acme", "two", List.of("user")),
              new TestKeys.Entry("key-three", "globex", "three", List.of("operator"))));
      eventually(() -> api.get("key-two", "/v1/sessions").status() == 200);
      assertEquals(401, api.get("key-one", "/v1/sessions").status(), "a removed key stops working");
      assertEquals(200, api.get("key-three", "/v1/sessions").status());

      Files.writeString(keys, "[{\"sha256\": \"oops\"");
      keepsWorking(api, "key-two", "a broken file keeps the keys loaded before");
      Files.delete(keys);
      keepsWorking(api, "key-two", "so does a missing one");
      TestKeys.write(keys, List.of(new TestKeys.Entry("key-one", "acme", "one", List.of("user"))));
      eventually(() -> api.get("key-one", "/v1/sessions").status() == 200);
    } finally {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDevKeyWorksOnlyWhenEnabledAndNoKeysFileIsConfigured() throws Exception {
    HttpServer dev =
        node.serve(
            "agent-runtime.http.keys-file = \"\"\nagent-runtime.http.dev-key-enabled = on",
            dir.resolve("unused"));
    Path keys = dir.resolve("keys.json");
    TestKeys.write(keys, TestKeys.ALL);
    HttpServer withFile = node.serve("agent-runtime.http.dev-key-enabled = on", keys);
    HttpServer off = node.serve("agent-runtime.http.keys-file = \"\"", dir.resolve("unused"));
    try {
      Api devApi = new Api(dev.address());
      Api.Response created = devApi.post("dev-key", "/v1/sessions", "{}");
      assertEquals(201, created.status());
      assertEquals("dev", created.json().at("/owner/tenant").asText());
      assertEquals("dev", created.json().at("/owner/user").asText());
      assertEquals(401, devApi.get(TestKeys.ADA, "/v1/sessions").status());

      assertEquals(401, new Api(withFile.address()).get("dev-key", "/v1/sessions").status());
      assertEquals(200, new Api(withFile.address()).get(TestKeys.ADA, "/v1/sessions").status());
      assertEquals(401, new Api(off.address()).get("dev-key", "/v1/sessions").status());
    } finally {
      for (HttpServer s : List.of(dev, withFile, off)) {
        s.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Requests for a second (each may trigger a check of the file) all pass. */
  private static void keepsWorking(Api api, String key, String why) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < until) {
      assertEquals(200, api.get(key, "/v1/sessions").status(), why);
      Thread.sleep(50);
    }
  }

  static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met in 10 s");
      }
      Thread.sleep(100);
    }
  }
}
