package io.agentruntime.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RouteTemplatesTest {

  @Test
  void idsBecomePlaceholdersAndUnknownPathsOneValue() {
    assertEquals("/v1/sessions", RouteTemplates.of("/v1/sessions"));
    assertEquals("/v1/policy", RouteTemplates.of("/v1/policy"));
    assertEquals("/v1/approvals", RouteTemplates.of("/v1/approvals"));
    assertEquals("/v1/me", RouteTemplates.of("/v1/me"));
    assertEquals("/v1/cluster", RouteTemplates.of("/v1/cluster"));
    assertEquals(
        "/v1/cluster/members/{node}/leave",
        RouteTemplates.of("/v1/cluster/members/127.0.0.1:2552/leave"));
    assertEquals("other", RouteTemplates.of("/console/js/app.js"));
    assertEquals("/v1/sessions/{id}", RouteTemplates.of("/v1/sessions/abc"));
    assertEquals(
        "/v1/sessions/{id}/memory/{key}", RouteTemplates.of("/v1/sessions/abc/memory/city"));
    assertEquals(
        "/v1/sessions/{id}/turns/{turnId}/cancel",
        RouteTemplates.of("/v1/sessions/a/turns/turn_1/cancel"));
    assertEquals(
        "/v1/sessions/{id}/approvals/{approvalId}",
        RouteTemplates.of("/v1/sessions/a/approvals/appr_1"));
    assertEquals("/v1/sessions/{id}/suspend", RouteTemplates.of("/v1/sessions/a/suspend"));
    assertEquals("/metrics", RouteTemplates.of("/metrics"));
    assertEquals("other", RouteTemplates.of("/v1/sessions/a/whatever/x"));
    assertEquals("other", RouteTemplates.of("/wp-admin/" + "x".repeat(100)));
    assertEquals("other", RouteTemplates.of("/v1/sessions/a/turns/t/cancel/more"));
  }
}
