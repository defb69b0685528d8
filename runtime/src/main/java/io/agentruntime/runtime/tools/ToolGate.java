package io.agentruntime.runtime.tools;

import static io.agentruntime.runtime.tools.ToolFailures.failed;

import java.util.Optional;

/**
 * What every tool call and discovery passes before anything is sent: a destination in the
 * allow-list, and, when the connection names a secret, a secret granted to the calling session's
 * tenant that an HTTP header can carry. Messages name the secret, never its value, and never tell
 * an unknown name from one granted to another tenant.
 */
final class ToolGate {

  private final ToolHosts hosts;
  private final Secrets secrets;

  ToolGate(ToolHosts hosts, Secrets secrets) {
    this.hosts = hosts;
    this.secrets = secrets;
  }

  /** Why nothing may be sent to this connection, or empty when the call may go ahead. */
  Optional<ToolResult.Failed> refusal(String tenant, ToolConnection connection) {
    Optional<ToolResult.Failed> host = hostRefusal(connection);
    if (host.isPresent()) {
      return host;
    }
    String ref = connection.secretRef();
    if (ref == null) {
      return Optional.empty();
    }
    Optional<String> secret = secrets.resolve(tenant, ref);
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

  /**
   * Why nothing may be sent to this connection's host, or empty when it may: for a call whose
   * credential was resolved from a vault already (decision 0029).
   */
  Optional<ToolResult.Failed> hostRefusal(ToolConnection connection) {
    return hosts
        .refusal(connection.url())
        .map(refused -> failed(ToolFailures.HOST_NOT_ALLOWED, refused));
  }

  /** The secret the connection names, as granted to {@code tenant}; empty when none. */
  Optional<String> secret(String tenant, ToolConnection connection) {
    return Optional.ofNullable(connection.secretRef()).flatMap(ref -> secrets.resolve(tenant, ref));
  }

  /** The same text whether the name is unknown or granted to another tenant: nothing to probe. */
  static ToolResult.Failed missingSecret(String ref) {
    return failed(
        ToolFailures.SECRET_MISSING,
        "secret '" + ref + "' is not granted to this session's tenant");
  }
}
