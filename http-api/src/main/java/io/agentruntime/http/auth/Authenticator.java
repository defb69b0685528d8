package io.agentruntime.http.auth;

import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

import io.agentruntime.http.error.ApiError;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The directive in front of {@code /v1/sessions}: {@code Authorization: Bearer <key>} must name a
 * configured key (401 otherwise), the key must be under its rate limit (429) and its principal must
 * hold the {@code user} or {@code operator} role (403).
 */
public final class Authenticator {

  private final ApiKeys keys;
  private final RateLimiter limiter;

  public Authenticator(ApiKeys keys, RateLimiter limiter) {
    this.keys = keys;
    this.limiter = limiter;
  }

  /** Authenticates the request and checks that it may use sessions. */
  public Route sessionUser(Function<Principal, Route> inner) {
    return authenticated(
        principal -> {
          if (!principal.has(Role.USER) && !principal.has(Role.OPERATOR)) {
            throw ApiError.roleMissing("sessions need the user or operator role");
          }
          return inner.apply(principal);
        });
  }

  /** Whether the key {@code principal} came with is still configured for it. */
  public CompletionStage<Boolean> stillValid(Principal principal) {
    return keys.stillValid(principal);
  }

  public Route authenticated(Function<Principal, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          String token =
              header
                  .flatMap(Authenticator::bearerToken)
                  .orElseThrow(
                      () ->
                          ApiError.unauthorized(
                              "an API key is required: Authorization: Bearer <key>"));
          return onSuccess(
              keys.find(token),
              found -> {
                ApiKey key =
                    found.orElseThrow(() -> ApiError.unauthorized("the API key is not valid"));
                long waitSeconds = limiter.acquire(key.id());
                if (waitSeconds > 0) {
                  throw ApiError.rateLimited(waitSeconds);
                }
                return inner.apply(key.principal());
              });
        });
  }

  private static Optional<String> bearerToken(String header) {
    int space = header.indexOf(' ');
    if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) {
      return Optional.empty();
    }
    String token = header.substring(space + 1).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
