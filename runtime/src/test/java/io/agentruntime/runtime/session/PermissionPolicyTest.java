package io.agentruntime.runtime.session;

import static io.agentruntime.runtime.session.Permission.ALLOW;
import static io.agentruntime.runtime.session.Permission.ASK;
import static io.agentruntime.runtime.session.Permission.DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
