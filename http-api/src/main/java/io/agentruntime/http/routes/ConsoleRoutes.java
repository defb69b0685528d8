package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.redirect;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /console/}: the browser console, static files from the node's jar (resources under {@code
 * console/}), no key needed to load them: the page signs in with an API key and is a client of the
 * public API only (docs/console.md). Every answer carries a strict Content-Security-Policy (only
 * this origin, no inline script or style, no framing), so a value from the API that slipped into
 * the page as markup still could not run (ADR 0044).
 */
public final class ConsoleRoutes {

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
          + " 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors"
          + " 'none'";

  private static final List<org.apache.pekko.http.javadsl.model.HttpHeader> HEADERS =
      List.of(
          RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("X-Frame-Options", "DENY"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("Cache-Control", "no-cache"));

  /** The route, at the root of the tree. */
  public Route routes() {
    return pathPrefix(
        "console",
        () ->
            get(
                () ->
                    respondWithHeaders(
                        HEADERS,
                        () ->
                            concat(
                                pathEnd(
                                    () ->
                                        redirect(
                                            Uri.create("/console/"),
                                            StatusCodes.MOVED_PERMANENTLY)),
                                pathSingleSlash(() -> getFromResource("console/index.html")),
                                getFromResourceDirectory("console")))));
  }
}
