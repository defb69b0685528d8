package io.agentruntime.runtime.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The order of the listing by cost and its cursor. */
class CostPositionTest {

  private static CostPosition at(String usd, String id) {
    return new CostPosition(new BigDecimal(usd), id);
  }

  private static String encoded(String plain) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void theListingShowsTheMostExpensiveFirstAndTiesBySessionIdDescending() {
    List<CostPosition> positions =
        new ArrayList<>(
            List.of(
                at("0", "a"),
                at("0.08", "b"),
                at("12.5", "c"),
                at("0.08", "d"),
                at("0.0800", "a"),
                at("3", "e")));
    positions.sort(CostPosition.ORDER);
    assertEquals(
        List.of(
            at("12.5", "c"),
            at("3", "e"),
            at("0.08", "d"),
            at("0.08", "b"),
            at("0.08", "a"),
            at("0", "a")),
        positions);
  }

  @Test
  void comesAfterMeansLaterInTheListing() {
    record Case(CostPosition p, CostPosition other, boolean after) {}
    for (Case c :
        List.of(
            new Case(at("1", "a"), at("2", "a"), true),
            new Case(at("2", "a"), at("1", "a"), false),
            new Case(at("1", "a"), at("1", "b"), true),
            new Case(at("1", "b"), at("1", "a"), false),
            new Case(at("1", "a"), at("1.00", "a"), false))) {
      assertEquals(c.after(), c.p().comesAfter(c.other()), c.toString());
    }
  }

  @Test
  void equalAmountsAreOnePosition() {
    assertEquals(at("0.50", "s"), at("0.5", "s"));
    assertEquals(at("100", "s").costUsd().toPlainString(), "100");
    assertEquals(at("0.000", "s").costUsd().toPlainString(), "0");
  }

  @Test
  void aCursorNamesThePositionItWasMadeFrom() {
    for (CostPosition p :
        List.of(
            at("0", "a"),
            at("0.00000001", "s-1_x"),
            at("123456.78", "Z".repeat(64)),
            at("1E+3", "big"))) {
      String cursor = p.cursor();
      assertTrue(cursor.matches("[A-Za-z0-9_-]+"), cursor);
      assertEquals(Optional.of(p), CostPosition.fromCursor(cursor), cursor);
    }
  }

  @Test
  void anythingElseIsNoCursor() {
    for (String bad :
        List.of(
            "",
            "s1", // a session id: the cursor of the listing by id
            "!!!",
            encoded("0.5"),
            encoded("~s1"),
            encoded("0.5~"),
            encoded("-1~s1"),
            encoded("1e3~s1"),
            encoded("0.5~s 1"),
            encoded("0.5~s.1"),
            encoded("0.5~" + "x".repeat(65)),
            encoded("1".repeat(31) + "~s1"),
            "A".repeat(257))) {
      assertFalse(CostPosition.fromCursor(bad).isPresent(), bad);
    }
    assertFalse(CostPosition.fromCursor(null).isPresent());
  }
}
