package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFailures.failed;

import java.util.Optional;

/**
 * What every tool call and discovery passes before anything is sent: a destination in the
 * allow-list, and, when the connection names a secret, a secret the server knows that an HTTP
 * header can carry. Messages name the secret, never its value.
 */
final class ToolGate {

  private final ToolHosts hosts;
  private final Secrets secrets;

  ToolGate(ToolHosts hosts, Secrets secrets) {
    this.hosts = hosts;
    this.secrets = secrets;
  }

  /** Why nothing may be sent to this connection, or empty when the call may go ahead. */
  Optional<ToolResult.Failed> refusal(ToolConnection connection) {
    Optional<String> refused = hosts.refusal(connection.url());
    if (refused.isPresent()) {
      return Optional.of(failed(ToolFailures.HOST_NOT_ALLOWED, refused.get()));
    }
    String ref = connection.secretRef();
    if (ref == null) {
      return Optional.empty();
    }
    Optional<String> secret = secrets.resolve(ref);
    if (secret.isEmpty()) {
      return Optional.of(missingSecret(ref));
    }
    if (!Secrets.fitsInHeader(secret.get())) {
      return Optional.of(
          failed(
              ToolFailures.SECRET_INVALID,
              "secret '" + ref + "' holds characters an HTTP header cannot carry"));
    }
    return Optional.empty();
  }

  static ToolResult.Failed missingSecret(String ref) {
    return failed(ToolFailures.SECRET_MISSING, "secret '" + ref + "' is not known to the server");
  }
}
