package io.agentruntime.runtime.webhooks;

import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.session.Problem;
import io.agentruntime.runtime.tools.ToolHosts;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What an endpoint may be (pure): an http(s) URL to an allowed host, known event types. */
public final class WebhookValidation {

  /** The event types an endpoint may ask for, as they are announced. */
  public static final List<String> TYPES =
      List.of(
          LifecycleNotice.CREATED,
          LifecycleNotice.IN_PROGRESS,
          LifecycleNotice.ACTION_REQUIRED,
          LifecycleNotice.IDLE,
          LifecycleNotice.FAILED,
          LifecycleNotice.APPROVAL_REQUESTED,
          LifecycleNotice.APPROVAL_DECIDED,
          LifecycleNotice.APPROVAL_EXPIRED,
          LifecycleNotice.TOOL_CALL_IN_DOUBT,
          LifecycleNotice.TURN_COMPLETED,
          LifecycleNotice.TURN_FAILED,
          LifecycleNotice.BUDGET_EXCEEDED,
          LifecycleNotice.SCHEDULE_FIRED);

  /** Another name of {@code agent.session.action_required} (the session status's name). */
  public static final String REQUIRES_ACTION = "agent.session.requires_action";

  private static final int MAX_URL_CHARS = 2048;

  private WebhookValidation() {}

  /** Why {@code url} cannot be an endpoint's, or empty. */
  public static Optional<Problem> url(String url, ToolHosts hosts) {
    if (url == null || url.isBlank()) {
      return invalid("url", "invalid_url", "url is required");
    } else if (url.length() > MAX_URL_CHARS) {
      return invalid("url", "invalid_url", "url is longer than " + MAX_URL_CHARS + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return invalid("url", "invalid_url", "url is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return invalid("url", "invalid_url", "url must be http or https");
    } else if (uri.getHost() == null || uri.getUserInfo() != null) {
      return invalid("url", "invalid_url", "url must name a host (and no user)");
    }
    return hosts.refusal(url).flatMap(why -> invalid("url", "host_not_allowed", "url: " + why));
  }

  /**
   * The event types asked for, each once, in the order of {@link #TYPES} ({@code requires_action}
   * read as {@code action_required}); or the problem with them.
   */
  public static Events events(List<String> asked) {
    if (asked == null || asked.isEmpty()) {
      return new Events(
          List.of(),
          problem("events", "invalid_field", "events must name at least one event type"));
    }
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      String type =
          REQUIRES_ACTION.equals(asked.get(i)) ? LifecycleNotice.ACTION_REQUIRED : asked.get(i);
      if (!TYPES.contains(type)) {
        return new Events(
            List.of(),
            problem(
                "events",
                "invalid_field",
                "events["
                    + i
                    + "]: '"
                    + asked.get(i)
                    + "' is not one of "
                    + String.join(", ", TYPES)
                    + " (or "
                    + REQUIRES_ACTION
                    + ")"));
      }
      wanted.add(type);
    }
    return new Events(TYPES.stream().filter(wanted::contains).toList(), null);
  }

  /** The types, or the problem ({@code problem} non-null) with them. */
  public record Events(List<String> types, Problem problem) {}

  private static Optional<Problem> invalid(String field, String code, String message) {
    return Optional.of(problem(field, code, message));
  }

  private static Problem problem(String field, String code, String message) {
    return new Problem(Problem.Kind.INVALID, code, message, field);
  }
}
