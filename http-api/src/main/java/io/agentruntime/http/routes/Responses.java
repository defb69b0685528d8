package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;

import io.agentruntime.http.json.Json;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Completes a route with a JSON body once it is there; a failure goes to the error mapper. */
final class Responses {

  private Responses() {}

  static Route ok(CompletionStage<?> body) {
    return completeWithFuture(body.thenApply(b -> Json.response(StatusCodes.OK, b)));
  }
}
