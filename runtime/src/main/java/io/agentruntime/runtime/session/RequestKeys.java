package io.agentruntime.runtime.session;

import io.agentruntime.runtime.session.SessionEvent.IdempotencyKeyRecorded;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.pcollections.PMap;

/**
 * The idempotency keys of the API's writes (all but messages, which keep theirs in {@link
 * SessionEvent.UserMessageAccepted}), as pure decisions (decision 0034). A key is journaled with
 * the write it came with ({@link IdempotencyKeyRecorded}), with a fingerprint of what was asked. A
 * request under a key seen before is a repeat when it asks the same (it answers the first outcome,
 * of the session as it is now, and changes nothing), a conflict when it asks something else. The
 * session keeps the latest {@link #WINDOW} keys; a key older than that counts as new again.
 */
final class RequestKeys {

  /** How many keys of writes a session keeps. */
  static final int WINDOW = 128;

  /** What a keyed request is to the session. */
  enum Use {
    NEW,
    /** The same request as the key's first one: answered, nothing changes. */
    REPEAT,
    /** Another request under a key already used (for a write or a message): refused. */
    REUSED
  }

  private RequestKeys() {}

  static Use use(SessionState s, String key, String fingerprint) {
    if (s.turnIdsByIdempotencyKey().containsKey(key)) {
      return Use.REUSED;
    }
    return s.requestForIdempotencyKey(key)
        .map(first -> first.equals(fingerprint) ? Use.REPEAT : Use.REUSED)
        .orElse(Use.NEW);
  }

  /**
   * Whether a message under {@code key} asks something else than the request the key was first used
   * for: a write, or a message with other content. (The same content is the same message: it
   * answers its turn.)
   */
  static boolean reusedByMessage(SessionState s, String key, String content) {
    if (key == null) {
      return false;
    }
    if (s.requestForIdempotencyKey(key).isPresent()) {
      return true;
    }
    return s.turnForIdempotencyKey(key)
        .map(turn -> !userMessages(s, turn.id()).contains(content))
        .orElse(false);
  }

  /**
   * The user's messages of turn {@code turnId}: the one that opened it and those that steered it
   * (decision 0024), read from the newest entry back.
   */
  private static List<String> userMessages(SessionState s, String turnId) {
    List<String> messages = new ArrayList<>();
    List<TranscriptEntry> transcript = s.transcript();
    for (int i = transcript.size() - 1; i >= 0; i--) {
      TranscriptEntry e = transcript.get(i);
      if ("user".equals(e.role()) && turnId.equals(e.turnId())) {
        messages.add(e.content());
        if (!e.steering()) {
          break; // the message that opened the turn: none of it comes before
        }
      }
    }
    return messages;
  }

  /** The refusal of a key used before for another request. */
  static Problem reused() {
    return Problem.conflict(
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different request on this session; use a new key");
  }

  /**
   * {@code d} with the key journaled after its events; a refusal, or nothing to do, journals no key
   * (a retry is decided again, and refused again or again nothing to do).
   */
  static Decision recorded(Decision d, String key, String fingerprint, Instant now) {
    if (d.refused() || d.events().isEmpty()) {
      return d;
    }
    List<SessionEvent> events = new ArrayList<>(d.events());
    events.add(new IdempotencyKeyRecorded(key, fingerprint, now));
    return new Decision(events, null);
  }

  /** The keys after {@code key} was used: it is the newest, and the oldest beyond the window go. */
  static PMap<String, String> remember(PMap<String, String> keys, String key, String fingerprint) {
    PMap<String, String> next = keys.minus(key).plus(key, fingerprint);
    while (next.size() > WINDOW) {
      next = next.minus(next.keySet().iterator().next());
    }
    return next;
  }

  /**
   * A fingerprint of a request: its operation, the user who asks and its arguments, as 32 hex
   * digits of SHA-256.
   */
  static String fingerprint(String operation, String user, Object... arguments) {
    StringBuilder text = new StringBuilder(operation).append('\u0000').append(user);
    for (Object argument : arguments) {
      text.append('\u0000').append(argument);
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
