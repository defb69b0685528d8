package io.agentruntime.runtime.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The node's admission of schedule firings as a table: a script of steps on a gate of 2 and what
 * each lets in. Steps: {@code +a1} (owner a, schedule 1, enters), {@code -a1} (leaves), {@code !a}
 * (owner a stopped), {@code ~x} (work x, a turn a firing started, comes after the firings: decision
 * 0064). The column after each step lists the firings let in by it, then the work let go, in order.
 */
class FiringAdmissionTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // at most two in flight; the third waits and goes when one leaves, in the order they came
        "+a1 +b1 +c1 +d1 -a1 -c1 | a1;b1;;;c1;d1",
        // the same firing asking again (a retry) is one firing, in flight or waiting
        "+a1 +a1 +b1 +c1 +c1 -b1 | a1;;b1;;;c1",
        // an owner that stops frees its firings in flight and drops those waiting
        "+a1 +a2 +b1 +a3 !a | a1;a2;;;b1",
        // leaving a firing that waits only drops it; leaving an unknown one changes nothing
        "+a1 +b1 +c1 -c1 -z9 -a1 | a1;b1;;;;",
        // once answered, a firing may come again (a cron schedule's next run)
        "+a1 -a1 +a1 | a1;;a1",
      })
  void letsInAtMostTheBoundInTheOrderFiringsCame(String script, String expected) {
    play(script, expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // no firing waits: the work goes at once, also while firings are in flight
        "~x | x",
        "+a1 +b1 ~x | a1;b1;x",
        // held while a firing waits, let go (all of it, in order) once the last one is let in
        "+a1 +b1 +c1 ~x ~y -a1 | a1;b1;;;;c1,x,y",
        "+a1 +b1 +c1 +d1 ~x -a1 -b1 | a1;b1;;;;c1;d1,x",
        // a waiting firing that is given up, or whose owner stopped, holds nothing any more
        "+a1 +b1 +c1 ~x -c1 | a1;b1;;;x",
        "+a1 +b1 +c1 ~x !c | a1;b1;;;x",
        // work let go is gone from the gate: a later burst does not let it go again
        "+a1 +b1 +c1 ~x -a1 +d1 -b1 | a1;b1;;;c1,x;;d1",
      })
  void workAfterTheFiringsIsHeldWhileAFiringWaits(String script, String expected) {
    play(script, expected);
  }

  /** Plays {@code script} on a gate of 2, checking what each step lets go against {@code lets}. */
  private static void play(String script, String expected) {
    FiringAdmission<String, String> gate = new FiringAdmission<>(2);
    String[] steps = script.split(" ");
    String[] lets = (expected + ";").split(";", -1);
    for (int i = 0; i < steps.length; i++) {
      String step = steps[i];
      String owner = step.substring(1, 2);
      FiringAdmission.Let<String, String> in =
          switch (step.charAt(0)) {
            case '+' -> gate.enter(new FiringAdmission.Firing<>(owner, step.substring(2)));
            case '-' -> gate.leave(new FiringAdmission.Firing<>(owner, step.substring(2)));
            case '~' -> gate.hold(step.substring(1));
            default -> gate.gone(owner);
          };
      List<String> going = new java.util.ArrayList<>();
      in.firings().forEach(f -> going.add(f.owner() + f.scheduleId()));
      going.addAll(in.held());
      assertEquals(
          lets[i], String.join(",", going), "step " + (i + 1) + " (" + step + ") of " + script);
      assertTrue(gate.inFlight() <= 2, "never more than the bound in flight");
    }
    assertEquals(0, gate.waiting() > 0 ? 0 : gate.held(), "nothing held once no firing waits");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {"+a1 | true", "+a1 -a1 | false", "+a1 +b1 +a2 -a1 | true", "+a1 +b1 +a2 !a | false"})
  void anOwnerIsHeldWhileItHasAFiringInFlightOrWaiting(String script, boolean held) {
    FiringAdmission<String, String> gate = new FiringAdmission<>(2);
    for (String step : script.split(" ")) {
      String owner = step.substring(1, 2);
      switch (step.charAt(0)) {
        case '+' -> gate.enter(new FiringAdmission.Firing<>(owner, step.substring(2)));
        case '-' -> gate.leave(new FiringAdmission.Firing<>(owner, step.substring(2)));
        default -> gate.gone(owner);
      }
    }
    assertEquals(held, gate.holds("a"));
    assertFalse(gate.holds("z"));
  }
}
