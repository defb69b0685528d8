package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentruntime.runtime.directory.ListedUsage;
import io.agentruntime.runtime.directory.SessionSummary;
import io.agentruntime.runtime.model.ModelReply;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session's line in the directory follows its cost (decision 0063): a turn that spent is
 * written once its new cost has stood for the listing delay, even if its status came back to where
 * it was listed, and each write names the cost the previous one listed, so the listing by cost
 * moves the session instead of listing it twice.
 */
class SessionCostListingTest extends AgentLoopTestSupport {

  @BeforeEach
  void created() {
    create();
  }

  /** A turn whose one model reply cost {@code usd}, answered at once. */
  private void turnThatCost(String usd) {
    Turn turn = send("go");
    model.last().reply(new ModelReply("done", List.of(), 10, 5, new BigDecimal(usd)));
    awaitState(s -> turn(turn.id()).status() == TurnStatus.COMPLETED);
  }

  private SessionSummary awaitListedCost(String usd) {
    awaitState(
        s -> {
          List<SessionSummary> listed = directory.listed(TENANT);
          return listed.size() == 1
              && listed.get(0).usage().costUsd().compareTo(new BigDecimal(usd)) == 0
              && listed.get(0).status().equals("idle");
        });
    return directory.listed(TENANT).get(0);
  }

  @Test
  void aTurnThatSpentAndEndedWithinTheDelayIsWrittenOnceWithItsCost() throws InterruptedException {
    int before = directory.writes().size();

    turnThatCost("0.25");

    SessionSummary listed = awaitListedCost("0.25");
    assertEquals(new ListedUsage(10, 5, new BigDecimal("0.25")), listed.usage());
    Thread.sleep(settings.statusListingDelay().toMillis() * 2);
    assertEquals(before + 1, directory.writes().size(), "one write: " + directory.writes());
  }

  @Test
  void eachWriteNamesTheCostThePreviousWriteListed() {
    turnThatCost("0.25");
    awaitListedCost("0.25");
    turnThatCost("0.5");
    awaitListedCost("0.75");

    List<Optional<BigDecimal>> named = directory.listedCosts();
    assertEquals(
        List.of(
            Optional.empty(), // the creation: nothing listed before it
            Optional.of(BigDecimal.ZERO),
            Optional.of(new BigDecimal("0.25"))),
        named.subList(named.size() - 3, named.size()).stream()
            .map(c -> c.map(ListedUsage::normalized))
            .toList());
  }

  @Test
  void aTurnThatSpentNothingWritesNothingWhenItsStatusCameBack() throws InterruptedException {
    int before = directory.writes().size();
    Turn turn = send("free");
    model.last().answer("done"); // tokens, no price: the cost stays 0
    awaitState(s -> turn(turn.id()).status() == TurnStatus.COMPLETED);
    Thread.sleep(settings.statusListingDelay().toMillis() * 2);
    assertEquals(before, directory.writes().size(), "nothing: " + directory.writes());
  }

  @Test
  void aRecoveredSessionDoesNotClaimToKnowWhatWasListedBefore() {
    turnThatCost("0.25");
    awaitListedCost("0.25");

    kit.restart();

    List<Optional<BigDecimal>> named = directory.listedCosts();
    assertEquals(Optional.empty(), named.get(named.size() - 1));
    assertEquals(
        new BigDecimal("0.25"),
        directory.writes().get(directory.writes().size() - 1).usage().costUsd());
  }
}
