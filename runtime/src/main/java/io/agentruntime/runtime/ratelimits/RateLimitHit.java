package io.agentruntime.runtime.ratelimits;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.agentruntime.runtime.CborSerializable;

/**
 * Why a call of a tool is held for a human by its tenant's rate limit (decision 0046): it would
 * start over the limit, {@code count} calls (at least {@code limit}) having started in the last
 * {@code window} (minute, hour or day); or the limit could not be checked, and {@code unread} says
 * what could not be read: {@link #COUNT} (the tenant's count: {@code count} is null) or {@link
 * #POLICY} (the tenant's policy: {@code window}, {@code limit} and {@code count} are null, and the
 * tool may have no limit at all). Journaled with the approval it asks, so a stored contract: add
 * fields only as optional ({@code unread} is null in hits journaled before it, and left out of the
 * stored form when null).
 */
public record RateLimitHit(
    String window,
    Integer limit,
    Integer count,
    @JsonInclude(JsonInclude.Include.NON_NULL) String unread)
    implements CborSerializable {

  /** {@link #unread}: the tenant's count of the tool's calls could not be read. */
  public static final String COUNT = "count";

  /** {@link #unread}: the tenant's policy, and so the tool's limit, could not be read. */
  public static final String POLICY = "policy";

  /** {@code count} calls started in {@code window}, at least its {@code limit}. */
  public static RateLimitHit over(String window, int limit, int count) {
    return new RateLimitHit(window, limit, count, null);
  }

  /** The tool is limited to {@code limit} calls in {@code window}, but its count is unknown. */
  public static RateLimitHit countUnread(String window, int limit) {
    return new RateLimitHit(window, limit, null, COUNT);
  }

  /** Whether the tool is limited at all is unknown: the tenant's policy could not be read. */
  public static RateLimitHit policyUnread() {
    return new RateLimitHit(null, null, null, POLICY);
  }
}
