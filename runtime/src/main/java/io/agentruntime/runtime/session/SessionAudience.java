package io.agentruntime.runtime.session;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who follows one incarnation of a session live: SSE streams on any node, which subscribe again now
 * and then. Nothing here is journaled; a restart forgets it all. (Askers waiting for a turn are
 * {@link DeferredReplies}.)
 */
final class SessionAudience {

  private final Set<ActorRef<StreamItem>> followers = new HashSet<>();

  /** True when the follower is new (and should be watched). */
  boolean follow(ActorRef<StreamItem> follower) {
    return followers.add(follower);
  }

  void unfollow(ActorRef<?> follower) {
    followers.remove(follower);
  }

  boolean hasFollowers() {
    return !followers.isEmpty();
  }

  void delta(String turnId, String text) {
    StreamItem delta = new StreamItem.Delta(turnId, text);
    followers.forEach(f -> f.tell(delta));
  }

  /** After a persist: followers get the events, with their sequence numbers. */
  void journaled(SessionState after, List<SessionEvent> events) {
    long first = after.lastSeq() - events.size() + 1;
    for (int i = 0; i < events.size(); i++) {
      StreamItem item = new StreamItem.Journaled(first + i, events.get(i));
      followers.forEach(f -> f.tell(item));
    }
  }
}
