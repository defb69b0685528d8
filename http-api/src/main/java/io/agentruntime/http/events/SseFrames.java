package io.agentruntime.http.events;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.util.ByteString;

/**
 * The bytes of a Server-Sent Events stream: an event as {@code id:}, {@code event:} and one {@code
 * data:} line per line of data, ended by a blank line; the keep-alive as a comment line. (Pekko's
 * own heartbeat is an event with empty data, which an EventSource ignores but a line-reading client
 * may surface as an empty message; a comment is skipped by every reader.)
 */
final class SseFrames {

  static final ByteString KEEP_ALIVE = ByteString.fromString(":\n\n");

  private SseFrames() {}

  static ByteString encode(ServerSentEvent event) {
    StringBuilder frame = new StringBuilder();
    event.getId().ifPresent(id -> frame.append("id:").append(id).append('\n'));
    event.getEventType().ifPresent(type -> frame.append("event:").append(type).append('\n'));
    for (String line : event.getData().split("\r\n|\r|\n", -1)) {
      frame.append("data:").append(line).append('\n');
    }
    return ByteString.fromString(frame.append('\n').toString(), StandardCharsets.UTF_8);
  }
}
