package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Permission.ALLOW;
import static io.agentruntime.runtime.session.Permission.ASK;
import static io.agentruntime.runtime.session.Permission.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the policy decides for a tool the model wants to call. */
class PermissionPolicyTest {

  @Test
  void aNamedToolGetsWhatItIsNamedWith() {
    PermissionPolicy policy =
        new PermissionPolicy(Map.of("send_email", ASK, "delete_repo", DENY, "search", ALLOW));
    assertEquals(ASK, policy.decide("send_email"));
    assertEquals(DENY, policy.decide("delete_repo"));
    assertEquals(ALLOW, policy.decide("search"));
  }

  @Test
  void theWildcardDecidesForEveryUnnamedTool() {
    PermissionPolicy policy = new PermissionPolicy(Map.of("*", ALLOW, "delete_repo", DENY));
    assertEquals(ALLOW, policy.decide("anything"));
    assertEquals(ALLOW, policy.decide("files__search"));
    assertEquals(DENY, policy.decide("delete_repo"));
  }

  @Test
  void anUnnamedToolWithoutAWildcardIsAsk() {
    assertEquals(ASK, PermissionPolicy.empty().decide("send_email"));
    assertEquals(ASK, new PermissionPolicy(Map.of("search", ALLOW)).decide("send_email"));
  }

  @Test
  void theBuiltInMemoryToolsAreAllowedUnlessNamed() {
    PermissionPolicy denyAll = new PermissionPolicy(Map.of("*", DENY, "memory_delete", ASK));
    assertEquals(ALLOW, denyAll.decide("memory_read"));
    assertEquals(ALLOW, denyAll.decide("memory_write"));
    assertEquals(ASK, denyAll.decide("memory_delete"));
    assertEquals(ALLOW, PermissionPolicy.empty().decide("memory_write"));
    assertEquals(DENY, new PermissionPolicy(Map.of("memory_write", DENY)).decide("memory_write"));
  }

  @Test
  void thePolicyIsACopyOfWhatItWasGiven() {
    Map<String, Permission> source = new HashMap<>(Map.of("search", ALLOW));
    PermissionPolicy policy = new PermissionPolicy(source);
    source.put("search", DENY);
    assertEquals(ALLOW, policy.decide("search"));
    assertThrows(UnsupportedOperationException.class, () -> policy.tools().put("x", ALLOW));
  }

  @Test
  void permissionsHaveLowerCaseWireNames() {
    assertEquals("allow", ALLOW.wireName());
    assertEquals(Optional.of(DENY), Permission.parse("deny"));
    assertEquals(Optional.empty(), Permission.parse("DENY"));
    assertEquals(ASK, Permission.fromWireName("ask"));
    assertThrows(IllegalArgumentException.class, () -> Permission.fromWireName("maybe"));
  }

  @Test
  void aTenantCeilingLimitsOnlyWhatItNamesAndTheStricterPermissionWins() {
    TenantPolicy ceiling =
        new TenantPolicy(new PermissionPolicy(Map.of("send_email", ASK, "wipe", DENY)));
    PermissionPolicy session = new PermissionPolicy(Map.of("*", ALLOW, "lookup", DENY));
    assertEquals(ASK, ceiling.effective(session, "send_email"));
    assertEquals(DENY, ceiling.effective(session, "wipe"));
    assertEquals(ALLOW, ceiling.effective(session, "other"), "no * in the ceiling: unrestricted");
    assertEquals(DENY, ceiling.effective(session, "lookup"), "a ceiling never loosens");
    assertEquals(ALLOW, TenantPolicy.NONE.effective(session, "other"));

    TenantPolicy askAll = new TenantPolicy(new PermissionPolicy(Map.of("*", ASK)));
    assertEquals(ASK, askAll.effective(session, "other"));
    assertEquals(ALLOW, askAll.effective(session, "memory_read"), "built-ins only when named");
  }

  @Test
  void aLooserPolicyNamesTheFirstToolItLoosens() {
    PermissionPolicy before = new PermissionPolicy(Map.of("a", ASK, "*", DENY));
    assertEquals(
        "a",
        before
            .loosenedBy(new PermissionPolicy(Map.of("a", ALLOW, "*", DENY)))
            .orElseThrow()
            .tool());
    assertEquals(
        "*", before.loosenedBy(new PermissionPolicy(Map.of("a", DENY))).orElseThrow().tool());
    assertTrue(before.loosenedBy(new PermissionPolicy(Map.of("a", DENY, "*", DENY))).isEmpty());
    assertTrue(before.loosenedBy(before).isEmpty());
  }
}
