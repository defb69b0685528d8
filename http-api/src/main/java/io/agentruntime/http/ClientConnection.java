package io.agentruntime.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The end of a client's side of its connection, told to the requests that came on it. Pekko HTTP
 * lets a client half-close a connection and still sends it the response under way, so a client that
 * closes a streamed response (an SSE client going away: it sends FIN) is not noticed until a write
 * to it fails, which for a quiet stream is the next keep-alive. This stage, run once per connection
 * in front of the routes, gives each request the connection's {@link #gone} signal, completed as
 * soon as the connection's requests end: a stream can end then (decision 0066).
 */
public final class ClientConnection extends GraphStage<FlowShape<HttpRequest, HttpRequest>> {

  private static final AttributeKey<CompletionStage<Done>> GONE =
      AttributeKey.create("agent-runtime-client-gone", uncheckedClass());

  private final Inlet<HttpRequest> in = Inlet.create("ClientConnection.in");
  private final Outlet<HttpRequest> out = Outlet.create("ClientConnection.out");
  private final FlowShape<HttpRequest, HttpRequest> shape = FlowShape.of(in, out);

  /**
   * Completes when the client of {@code request}'s connection sent all it will (it closed its side,
   * or the connection broke); never for a request that did not come through a server (a test's).
   */
  public static CompletionStage<Done> gone(HttpRequest request) {
    // A future of its own when there is none: one shared for all would keep every stream's
    // callback for good.
    return request.getAttribute(GONE).orElseGet(CompletableFuture::new);
  }

  @Override
  public FlowShape<HttpRequest, HttpRequest> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    CompletableFuture<Done> gone = new CompletableFuture<>();
    return new GraphStageLogic(shape) {
      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                push(out, grab(in).addAttribute(GONE, gone));
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }

      @Override
      public void postStop() {
        // However the requests ended: the client closed its side, the connection failed, or the
        // server is closing it.
        gone.complete(Done.getInstance());
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static Class<CompletionStage<Done>> uncheckedClass() {
    return (Class<CompletionStage<Done>>) (Class<?>) CompletionStage.class;
  }
}
