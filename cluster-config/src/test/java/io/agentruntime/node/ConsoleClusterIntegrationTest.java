package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's cluster page on two real node processes, in headless Chromium: an operator of a
 * tenant the nodes name sees both members Up with the sessions and shards each hosts, and "Leave"
 * on the second node, once confirmed, makes it hand its shards off and exit, after which the first
 * node still serves every session.
 */
class ConsoleClusterIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPERATOR = "it-key-olga";
  private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  @TempDir Path home;
  private ProcessCluster cluster;
  private ChromeDriver browser;
  private Path profile;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anOperatorSeesBothNodesAndMakesOneLeaveAfterConfirming() throws Exception {
    Path keys = home.resolve("console-keys.json");
    Files.writeString(
        keys,
        "[{\"sha256\": \""
            + sha256(TestKeysFile.ADA)
            + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"user\", \"approver\"]},"
            + " {\"sha256\": \""
            + sha256(OPERATOR)
            + "\", \"tenant\": \"acme\", \"user\": \"olga\", \"roles\": [\"operator\"]}]");
    cluster =
        new ProcessCluster(
            home,
            Map.of(
                "AGENT_RUNTIME_KEYS_FILE",
                keys.toString(),
                "AGENT_RUNTIME_CLUSTER_OPERATOR_TENANTS",
                "acme"));
    cluster.startNode();
    cluster.startNode();
    cluster.awaitMembersUp(2);
    HttpClientSupport ada = cluster.client(0);
    for (int i = 0; i < 12; i++) {
      assertEquals(201, ada.post("/v1/sessions", "{\"id\": \"c" + i + "\"}").statusCode());
    }
    while (cluster.hostingNodes().size() < 2) {
      Thread.sleep(200);
    }
    HttpClientSupport olga = new HttpClientSupport(cluster.node(0).baseUrl(), OPERATOR);
    JsonNode view = JSON.readTree(olga.get("/v1/cluster").body());
    assertEquals(2, view.get("members").size(), view.toString());
    String leaver = view.get("members").get(1).get("node").asText();
    if (leaver.equals(view.get("self").asText())) {
      leaver = view.get("members").get(0).get("node").asText();
    }
    assertEquals(cluster.node(1).clusterAddress(), leaver, "node 1 is the other member");

    browser = openBrowser();
    browser.get(cluster.node(0).baseUrl() + "/console/");
    waitFor(By.id("api-key")).sendKeys(OPERATOR);
    browser.findElement(By.id("sign-in-button")).click();
    waitFor(By.id("sign-out"));
    browser.get(cluster.node(0).baseUrl() + "/console/#/cluster");
    WebElement row = waitFor(By.cssSelector("tr[data-node='" + leaver + "']"));
    waitFor(By.cssSelector("tr[data-node='" + view.get("self").asText() + "']"));
    assertEquals("Up", row.findElement(By.className("state")).getText());
    int sessions = 0;
    for (WebElement cell : browser.findElements(By.cssSelector("#members-rows .sessions"))) {
      sessions += Integer.parseInt(cell.getText());
    }
    assertTrue(sessions >= 12, "the page counts the sessions of both nodes: " + sessions);
    screenshot("cluster-two-nodes");

    row.findElement(By.className("leave")).click();
    waitFor(By.id("confirm-ok")).click();
    waitFor(By.id("cluster-notice"));
    int exit = cluster.node(1).awaitExit(Duration.ofSeconds(90));
    assertTrue(exit == 0 || exit == 143, "node 1 left and stopped cleanly: exit " + exit);
    browser.findElement(By.id("cluster-reload")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#members-rows tr"), 1));
    screenshot("cluster-after-leave");
    for (int i = 0; i < 12; i++) {
      assertEquals(200, ada.get("/v1/sessions/c" + i).statusCode(), "c" + i + " is served");
    }
  }

  private ChromeDriver openBrowser() throws IOException {
    profile = Files.createTempDirectory("console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,900",
        "--user-data-dir=" + profile);
    return new ChromeDriver(
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build(),
        options);
  }

  private WebElement waitFor(By by) {
    return new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.copy(
        browser.getScreenshotAs(OutputType.FILE).toPath(),
        SCREENSHOTS.resolve(name + ".png"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static String sha256(String key) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }
}
