package io.agentruntime.runtime.session;

/**
 * A write whose outcome the service cannot tell: the session did not answer in time after the
 * command may have reached it, and looking the outcome up did not answer either. The change may
 * have been journaled, or may still be (a write handed to the store before it stalled). How a
 * {@link SessionService} stage fails then, never as "nothing was accepted": a retry with the same
 * idempotency key is safe (decision 0034).
 */
public final class OutcomeUnknown extends RuntimeException {

  public OutcomeUnknown(String what, Throwable cause) {
    super(what, cause, false, false);
  }
}
