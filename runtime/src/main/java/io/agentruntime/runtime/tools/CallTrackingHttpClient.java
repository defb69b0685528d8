package io.agentruntime.runtime.tools;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The shared HTTP client as the MCP transports see it, noting the calls a server turned away
 * because it did not know their MCP session (a 400 or 404 to a request that carried one, which is
 * how a restarted server answers). Such a call was not processed, so it may be sent again on a
 * fresh session. The SDK cannot tell us this itself: it reports every request of a lost session as
 * "session terminated", including one the server was already running.
 *
 * <p>A call is recognised by the {@link #CALL_HEADER} the transport's request customizer adds; the
 * header is removed before the request leaves.
 */
final class CallTrackingHttpClient extends HttpClient {

  static final String CALL_HEADER = "X-Agent-Runtime-Call";

  private final HttpClient delegate;
  private final Set<String> turnedAway = ConcurrentHashMap.newKeySet();

  CallTrackingHttpClient(HttpClient delegate) {
    this.delegate = delegate;
  }

  /** Whether the server turned the call away unprocessed; forgets the call either way. */
  boolean takeTurnedAway(String callId) {
    return turnedAway.remove(callId);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    Optional<String> call = request.headers().firstValue(CALL_HEADER);
    if (call.isEmpty()) {
      return delegate.sendAsync(request, handler);
    }
    return delegate.sendAsync(withoutCallHeader(request), observing(request, call.get(), handler));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> push) {
    Optional<String> call = request.headers().firstValue(CALL_HEADER);
    if (call.isEmpty()) {
      return delegate.sendAsync(request, handler, push);
    }
    return delegate.sendAsync(
        withoutCallHeader(request), observing(request, call.get(), handler), push);
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Optional<String> call = request.headers().firstValue(CALL_HEADER);
    if (call.isEmpty()) {
      return delegate.send(request, handler);
    }
    return delegate.send(withoutCallHeader(request), observing(request, call.get(), handler));
  }

  private <T> HttpResponse.BodyHandler<T> observing(
      HttpRequest request, String call, HttpResponse.BodyHandler<T> handler) {
    boolean inSession = request.headers().firstValue("Mcp-Session-Id").isPresent();
    return info -> {
      if (inSession && (info.statusCode() == 404 || info.statusCode() == 400)) {
        turnedAway.add(call);
      }
      return handler.apply(info);
    };
  }

  private static HttpRequest withoutCallHeader(HttpRequest request) {
    return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase(CALL_HEADER))
        .build();
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }
}
