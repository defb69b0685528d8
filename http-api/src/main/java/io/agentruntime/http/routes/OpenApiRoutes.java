package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /v1/openapi.json}: the OpenAPI document shipped as a resource. No key needed. */
public final class OpenApiRoutes {

  static final String RESOURCE = "/openapi.json";

  private final HttpResponse document;

  public OpenApiRoutes() {
    this.document = HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, read());
  }

  /** The route, to be placed under {@code /v1}. */
  public Route routes() {
    return path("openapi.json", () -> get(() -> complete(document)));
  }

  private static byte[] read() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the http-api jar lacks " + RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
