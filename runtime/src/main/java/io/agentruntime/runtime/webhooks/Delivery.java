package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.CborSerializable;
import io.agentruntime.runtime.session.LifecycleNotice;
import java.time.Instant;

/**
 * One event on its way to one endpoint, as its delivery log shows it: how many tries, what the last
 * one got ({@code lastStatus}, the HTTP status, or {@code lastError}), when the next is due ({@code
 * nextAttemptAt}, null once it ended) and how it ended ({@code state}: pending, delivered or
 * given_up). {@code since} is when the current round of tries began (a redelivery starts one).
 */
public record Delivery(
    LifecycleNotice event,
    int attempts,
    Integer lastStatus,
    String lastError,
    Instant nextAttemptAt,
    Instant since,
    String state)
    implements CborSerializable {

  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String GIVEN_UP = "given_up";

  static Delivery queued(LifecycleNotice event, Instant at) {
    return new Delivery(event, 0, null, null, at, at, PENDING);
  }

  public boolean pending() {
    return PENDING.equals(state);
  }

  Delivery attempted(Integer status, String error, boolean delivered, Instant next) {
    String ended = delivered ? DELIVERED : next == null ? GIVEN_UP : PENDING;
    return new Delivery(event, attempts + 1, status, error, delivered ? null : next, since, ended);
  }

  Delivery again(Instant at) {
    return new Delivery(event, attempts, lastStatus, lastError, at, at, PENDING);
  }
}
