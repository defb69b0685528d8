package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.InternalCommand.*;
import java.util.Optional;

/**
 * The internal commands that keep the session's books rather than its work: a streamed delta for
 * followers, answers due, the end of an erase's deletion, the directory's status line, and
 * passivation. None is decided by the rules, and nobody waits for an answer.
 */
final class SessionChores {

  private final SessionAudience audience;
  private final DeferredReplies replies;
  private final Passivation passivation;
  private final DirectoryListing listing;
  private final Erasure erasure;

  SessionChores(
      SessionAudience audience,
      DeferredReplies replies,
      Passivation passivation,
      DirectoryListing listing,
      Erasure erasure) {
    this.audience = audience;
    this.replies = replies;
    this.passivation = passivation;
    this.listing = listing;
    this.erasure = erasure;
  }

  /**
   * Does the chore {@code cmd}. Returns the passivation marker to journal, if an idle check asks
   * for it: not through the entity's persist pipeline, as the marker is bookkeeping that followers,
   * the directory and the driver do not see.
   */
  Optional<SessionEvent> handle(SessionState s, InternalCommand cmd) {
    if (cmd instanceof PublishDelta c) {
      audience.delta(c.turnId(), c.text());
    } else if (cmd instanceof AnswerDue c) {
      replies.payDue(c.owed(), s);
    } else if (cmd instanceof DirectoryWritten c) {
      replies.payDue(c.owed(), s);
    } else if (cmd instanceof ErasureEnded c) {
      if (c.owed() != DeferredReplies.NOBODY && c.failure() == null) {
        passivation.stop();
      }
      replies.pay(c.owed(), erasure.ended(c));
    } else if (cmd instanceof ListStatus) {
      listing.write(s);
    } else if (cmd instanceof IdleCheck) {
      return passivation.idle(s, audience.hasFollowers());
    } else if (cmd instanceof ReadyToPassivate c) {
      passivation.ready(s, audience.hasFollowers(), c.seq());
    } else {
      throw new IllegalArgumentException("an internal command the session does not know: " + cmd);
    }
    return Optional.empty();
  }
}
