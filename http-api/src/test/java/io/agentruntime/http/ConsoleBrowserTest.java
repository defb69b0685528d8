package io.agentruntime.http;

import static io.agentruntime.http.TestKeys.ADA;
import static io.agentruntime.http.TestKeys.BOB;
import static io.agentruntime.http.TestKeys.OLGA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.http.Api.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console in a real browser (headless Chromium) against a real node: what an approver, a user
 * without the approver role and an operator see and do, and a hostile tool argument that must show
 * as text and run nothing.
 */
class ConsoleBrowserTest {

  private static final String HOSTILE =
      "<script>window.pwned=1</script><img src=x onerror=window.pwned=2>";

  private final Api api = TestNode.shared().api;
  private static Browser browser;

  @BeforeAll
  static void openBrowser() {
    browser = Browser.open();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  private void signIn(String key) {
    browser.driver.get(api.base() + "/console/");
    browser.driver.executeScript("sessionStorage.clear()");
    browser.signIn(api, key);
  }

  private WebElement row(String approvalId) {
    return browser.waitFor(By.cssSelector("tr[data-approval='" + approvalId + "']"));
  }

  private String pendingApproval(String session, String key) {
    return api.get(key, session + "/approvals").json().get(0).get("id").asText();
  }

  private static String sessionId(String session) {
    return session.substring(session.lastIndexOf('/') + 1);
  }

  @Test
  void anApproverApprovesFromTheInboxAndWatchesTheTurnCompleteInTheTimeline() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approval = pendingApproval(session, ADA);
    signIn(ADA);
    WebElement row = row(approval);
    assertEquals("echo", row.findElement(By.className("tool")).getText());
    assertTrue(row.findElement(By.className("arguments")).getText().contains("\"to\": \"bob\""));
    assertEquals("policy", row.findElement(By.className("reason")).getText());
    assertTrue(
        browser.consoleMessages().stream().noneMatch(m -> m.contains("Content Security Policy")),
        "the console runs under its CSP: " + browser.consoleMessages());

    // The timeline first, pending; then the decision from the inbox; the timeline follows live.
    row.findElement(By.tagName("a")).click();
    browser.waitFor(By.cssSelector("[data-turn] .step.approval"));
    assertEquals(
        "running",
        browser.driver.findElement(By.cssSelector("[data-turn] .turn-status")).getText());
    browser.driver.navigate().back();
    row = row(approval);
    row.findElement(By.className("comment")).sendKeys("fine by me");
    row.findElement(By.className("approve")).click();
    browser.until(
        ExpectedConditions.invisibilityOfElementLocated(
            By.cssSelector("tr[data-approval='" + approval + "']")));
    browser.waitFor(By.id("approvals-notice"));
    assertTrue(browser.driver.findElement(By.id("approvals-notice")).getText().contains("approve"));

    browser.driver.get(api.base() + "/console/#/sessions/" + sessionId(session));
    browser.until(
        ExpectedConditions.textToBe(By.cssSelector("[data-turn] .turn-status"), "completed"));
    String approvalStep = browser.driver.findElement(By.cssSelector(".step.approval")).getText();
    assertTrue(approvalStep.contains("granted by ada"), approvalStep);
    assertTrue(approvalStep.contains("fine by me"), approvalStep);
    String tool = browser.driver.findElement(By.cssSelector(".step.tool")).getText();
    assertTrue(tool.contains("succeeded"), tool);
    browser.screenshot("timeline-approved");
    assertEquals(
        "completed",
        api.get(ADA, session).json().at("/currentTurn/status").asText("completed"),
        api.get(ADA, session).toString());
  }

  /** Sign-in, a comment and a decision with the keyboard alone: Tab to each control, then keys. */
  @Test
  void anApproverSignsInAndDecidesWithTheKeyboardAlone() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approval = pendingApproval(session, ADA);
    browser.driver.get(api.base() + "/console/");
    browser.driver.executeScript("sessionStorage.clear()");
    browser.driver.navigate().refresh();
    browser.waitFor(By.id("api-key"));

    tabTo(e -> "api-key".equals(e.getAttribute("id"))).sendKeys(ADA + Keys.ENTER);
    browser.waitFor(By.id("sign-out"));
    WebElement row = row(approval);
    WebElement comment = row.findElement(By.className("comment"));
    tabTo(comment::equals).sendKeys("by keyboard");
    WebElement approve = row.findElement(By.className("approve"));
    tabTo(approve::equals).sendKeys(Keys.ENTER);

    browser.until(
        ExpectedConditions.invisibilityOfElementLocated(
            By.cssSelector("tr[data-approval='" + approval + "']")));
    assertTrue(api.get(ADA, session + "/approvals").json().isEmpty(), "decided by keyboard");
    browser.driver.get(api.base() + "/console/#/sessions/" + sessionId(session));
    browser.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector(".step.approval"), "by keyboard"));
  }

  /** Presses Tab until the focused element is one {@code wanted} accepts (at most 80 times). */
  private WebElement tabTo(java.util.function.Predicate<WebElement> wanted) {
    for (int i = 0; i < 80; i++) {
      new Actions(browser.driver).sendKeys(Keys.TAB).perform();
      WebElement focused = browser.driver.switchTo().activeElement();
      if (wanted.test(focused)) {
        return focused;
      }
    }
    throw new AssertionError("not reachable with Tab");
  }

  @Test
  void aDecisionMadeElsewhereRemovesItsRowFromTheLiveInbox() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approval = pendingApproval(session, ADA);
    signIn(ADA);
    row(approval);
    browser.until(ExpectedConditions.textToBe(By.id("approvals-status"), "Live."));

    Response decided =
        api.post(ADA, session + "/approvals/" + approval, "{\"decision\": \"deny\"}");
    assertEquals(200, decided.status(), decided.toString());

    browser.until(
        ExpectedConditions.invisibilityOfElementLocated(
            By.cssSelector("tr[data-approval='" + approval + "']")));
    assertEquals(
        "Live.",
        browser.driver.findElement(By.id("approvals-status")).getText(),
        "removed by the feed, not by polling");
  }

  @Test
  void aDecisionMadeElsewhereShowsLiveInTheTimeline() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approval = pendingApproval(session, ADA);
    signIn(ADA);
    browser.driver.get(api.base() + "/console/#/sessions/" + sessionId(session));
    browser.waitFor(By.cssSelector("[data-turn] .step.approval"));
    assertEquals(
        "pending",
        browser.driver.findElement(By.cssSelector(".step.approval .decision")).getText());
    Response decided =
        api.post(ADA, session + "/approvals/" + approval, "{\"decision\": \"approve\"}");
    assertEquals(200, decided.status(), decided.toString());
    browser.until(
        ExpectedConditions.textToBe(By.cssSelector("[data-turn] .turn-status"), "completed"));
    assertTrue(
        browser.driver.findElement(By.cssSelector(".step.model")).getText().contains("tokens"));
  }

  @Test
  void anApproverDeniesAnotherWithAComment() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String approval = pendingApproval(session, ADA);
    signIn(ADA);
    WebElement row = row(approval);
    row.findElement(By.className("comment")).sendKeys("not bob");
    row.findElement(By.className("deny")).click();
    browser.until(
        ExpectedConditions.invisibilityOfElementLocated(
            By.cssSelector("tr[data-approval='" + approval + "']")));
    browser.screenshot("approvals-after-deny");

    JsonNode approvals = api.get(ADA, session + "/approvals").json();
    assertEquals(0, approvals.size(), "nothing pending any more: " + approvals);
    browser.driver.get(api.base() + "/console/#/sessions/" + sessionId(session));
    browser.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector(".step.approval .decision"), "denied by ada"));
    assertTrue(
        browser.driver.findElement(By.cssSelector(".step.approval")).getText().contains("not bob"));
    browser.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector(".step.tool .outcome"), "rejected"));
  }

  @Test
  void aKeyWithoutTheApproverRoleSeesTheRowAndNoButtonsAndTheApiRefusesIt() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, BOB);
    String approval = pendingApproval(session, BOB);
    signIn(BOB);
    WebElement row = row(approval);
    browser.waitFor(By.id("no-approver"));
    assertTrue(row.findElements(By.tagName("button")).isEmpty(), "no decision buttons for bob");
    assertTrue(row.findElements(By.tagName("input")).isEmpty());
    browser.screenshot("approvals-without-approver");

    Response refused =
        api.post(BOB, session + "/approvals/" + approval, "{\"decision\": \"approve\"}");
    assertEquals(403, refused.status(), refused.toString());
    assertEquals(1, api.get(BOB, session + "/approvals").json().size(), "still pending");
  }

  @Test
  void aHostileToolArgumentShowsAsTextAndRunsNothing() {
    String id = TestNode.newId("hostile");
    String session = "/v1/sessions/" + id;
    assertEquals(
        201,
        api.post(
                ADA,
                "/v1/sessions",
                """
        {"id": "%s", "agent": {"model": "scripted"},
         "tools": [{"name": "echo", "kind": "http", "url": "http://127.0.0.1:9/echo"}],
         "permissions": {"tools": {"echo": "ask"}}}"""
                    .formatted(id))
            .status());
    String message =
        Api.JSON
            .createObjectNode()
            .put("content", "/tool echo {\"to\": \"" + HOSTILE + "\"}")
            .toString();
    Response waiting = api.post(ADA, session + "/messages?waitSeconds=10", message);
    assertEquals("awaiting_approval", waiting.json().get("status").asText(), waiting.toString());
    String approval = pendingApproval(session, ADA);
    assertEquals(
        HOSTILE, api.get(ADA, session + "/approvals").json().get(0).at("/arguments/to").asText());

    signIn(ADA);
    WebElement row = row(approval);
    assertTrue(
        row.findElement(By.className("arguments")).getText().contains(HOSTILE), row.getText());
    assertTrue(
        row.findElements(By.tagName("img")).isEmpty(), "no <img> was made from the argument");
    assertTrue(row.findElements(By.tagName("script")).isEmpty());
    browser.screenshot("approvals-hostile-argument");

    browser.driver.get(api.base() + "/console/#/sessions/" + id);
    WebElement asked = browser.waitFor(By.cssSelector(".step.approval"));
    assertTrue(asked.getText().contains(HOSTILE), asked.getText());
    assertTrue(browser.driver.findElements(By.cssSelector("#turns img, #turns script")).isEmpty());
    assertNull(browser.driver.executeScript("return window.pwned"), "the argument ran as script");
  }

  @Test
  void anOperatorFindsASessionByIdWithItsHostingNodeAndSuspendsItAfterConfirming() {
    String session = ApprovalsApiTest.sessionAwaitingApproval(api, ADA);
    String id = sessionId(session);
    String node = api.get(OLGA, session).header("X-Agent-Node").orElseThrow();
    signIn(OLGA);
    browser.driver.get(api.base() + "/console/#/sessions");
    browser.waitFor(By.id("session-search")).sendKeys(id);
    browser.driver.findElement(By.cssSelector("#sessions-filter button[type=submit]")).click();
    WebElement row = browser.waitFor(By.cssSelector("tr[data-session='" + id + "']"));
    assertEquals(node, row.findElement(By.className("node")).getText());
    assertEquals("awaiting_approval", row.findElement(By.className("status")).getText());
    browser.screenshot("sessions");

    row.findElement(By.tagName("a")).click();
    browser.waitFor(By.id("action-suspend")).click();
    browser.waitFor(By.id("confirm-cancel")).click();
    assertEquals(
        "awaiting_approval",
        api.get(OLGA, session).json().get("status").asText(),
        "cancel changes nothing");
    browser.driver.findElement(By.id("action-suspend")).click();
    browser.waitFor(By.id("confirm-ok")).click();
    browser.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("session-notice"), "Suspend: done"));
    assertEquals("suspended", api.get(OLGA, session).json().get("status").asText());
  }

  @Test
  void aClusterOperatorSeesTheMembersAndLeaveAsksForConfirmation() {
    String host = api.get(TestKeys.OTTO, "/v1/cluster").json().at("/self").asText();
    signIn(TestKeys.OTTO);
    browser.driver.get(api.base() + "/console/#/cluster");
    WebElement member = browser.waitFor(By.cssSelector("tr[data-node='" + host + "']"));
    assertEquals("Up", member.findElement(By.className("state")).getText());
    browser.screenshot("cluster-single-node");
    member.findElement(By.className("leave")).click();
    assertTrue(browser.waitFor(By.id("confirm-text")).getText().contains(host));
    browser.driver.findElement(By.id("confirm-cancel")).click();
    assertEquals(
        "Up",
        api.get(TestKeys.OTTO, "/v1/cluster").json().at("/members/0/status").asText(),
        "a cancelled leave changes nothing");
  }
}
