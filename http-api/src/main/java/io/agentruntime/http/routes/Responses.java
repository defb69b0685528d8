package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;

import io.agentruntime.http.agents.CursorPage;
import io.agentruntime.http.json.Json;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Completes a route with a JSON body once it is there; a failure goes to the error mapper. */
final class Responses {

  private Responses() {}

  static Route ok(CompletionStage<?> body) {
    return completeWithFuture(body.thenApply(b -> Json.response(StatusCodes.OK, b)));
  }

  /** Completes with the page of an Agents API list that the query's after, limit and order ask. */
  static Route okPage(Function<CursorPage, CompletionStage<?>> page) {
    return parameterOptional(
        "after",
        after ->
            parameterOptional(
                "limit",
                limit ->
                    parameterOptional(
                        "order", order -> ok(page.apply(CursorPage.of(after, limit, order))))));
  }
}
