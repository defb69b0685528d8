package io.agentruntime.runtime.tools;

import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Hands the MCP SDK's transport builder our one shared {@link HttpClient}. The SDK builds a new
 * client (with its own selector thread, never closed on Java 17) for every transport; pooled
 * per-session MCP clients would pile those up. Settings the SDK applies are ignored: the shared
 * client was built with ours.
 */
final class SharedHttpClientBuilder implements HttpClient.Builder {

  private final HttpClient shared;

  SharedHttpClientBuilder(HttpClient shared) {
    this.shared = shared;
  }

  @Override
  public HttpClient build() {
    return shared;
  }

  @Override
  public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
    return this;
  }

  @Override
  public HttpClient.Builder connectTimeout(Duration duration) {
    return this;
  }

  @Override
  public HttpClient.Builder sslContext(SSLContext sslContext) {
    return this;
  }

  @Override
  public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
    return this;
  }

  @Override
  public HttpClient.Builder executor(Executor executor) {
    return this;
  }

  @Override
  public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
    return this;
  }

  @Override
  public HttpClient.Builder version(HttpClient.Version version) {
    return this;
  }

  @Override
  public HttpClient.Builder priority(int priority) {
    return this;
  }

  @Override
  public HttpClient.Builder proxy(ProxySelector proxySelector) {
    return this;
  }

  @Override
  public HttpClient.Builder authenticator(Authenticator authenticator) {
    return this;
  }
}
