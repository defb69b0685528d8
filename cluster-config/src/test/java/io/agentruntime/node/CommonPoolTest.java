package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommonPoolTest {

  private String before;

  @BeforeEach
  void remember() {
    before = System.getProperty(CommonPool.PARALLELISM);
  }

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(CommonPool.PARALLELISM);
    } else {
      System.setProperty(CommonPool.PARALLELISM, before);
    }
  }

  @Test
  void asksForAtLeastTwoThreadsSoNoStepGetsAThreadOfItsOwn() {
    System.clearProperty(CommonPool.PARALLELISM);

    CommonPool.sizeBeforeFirstUse();

    assertTrue(Integer.parseInt(System.getProperty(CommonPool.PARALLELISM)) >= 2);
  }

  @Test
  void keepsWhatTheCommandLineSays() {
    System.setProperty(CommonPool.PARALLELISM, "7");

    CommonPool.sizeBeforeFirstUse();

    assertEquals("7", System.getProperty(CommonPool.PARALLELISM));
  }
}
