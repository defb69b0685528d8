package io.agentruntime.http.events;

import io.agentruntime.http.auth.KeySlots;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The bytes of one event stream, held against its API key while it runs: it takes one of the key's
 * slots when it starts and gives it back when it ends, however it ends; it writes a keep-alive
 * comment whenever the key's slots are probed ({@link KeySlots#probe}: a client gone makes the
 * write fail and the stream end); and it ends, as if complete, once a check of the key (every
 * {@code keyCheckInterval}) finds it removed, or at once when its client's side of the connection
 * ends ({@code clientGone}: the client closed the stream, which Pekko HTTP would otherwise notice
 * only at a failed write, while the session went on sending it every event). One stage, run with
 * the stream itself: nothing is materialized beside it.
 */
final class KeyHeldStream extends GraphStage<FlowShape<ByteString, ByteString>> {

  /** How many probes wait for the client to read, at most (more would only say the same). */
  private static final int MAX_PENDING_PROBES = 2;

  private static final String KEY_CHECK = "key-check";

  private final Inlet<ByteString> in = Inlet.create("KeyHeldStream.in");
  private final Outlet<ByteString> out = Outlet.create("KeyHeldStream.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

  private final KeySlots slots;
  private final String key;
  private final Supplier<CompletionStage<Boolean>> keyStillValid;
  private final Duration keyCheckInterval;
  private final CompletionStage<?> clientGone;

  KeyHeldStream(
      KeySlots slots,
      String key,
      Supplier<CompletionStage<Boolean>> keyStillValid,
      Duration keyCheckInterval,
      CompletionStage<?> clientGone) {
    this.slots = slots;
    this.key = key;
    this.keyStillValid = keyStillValid;
    this.keyCheckInterval = keyCheckInterval;
    this.clientGone = clientGone;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private int pendingProbes;
      private boolean checking;
      private Runnable unwatch = () -> {};
      private final AsyncCallback<Boolean> probed = createAsyncCallback(ignored -> onProbe());
      private final AsyncCallback<Object> checked = createAsyncCallback(this::onKeyChecked);
      private final AsyncCallback<Object> left = createAsyncCallback(ignored -> completeStage());

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                if (isAvailable(out)) {
                  push(out, grab(in));
                }
              }

              @Override
              public void onUpstreamFinish() {
                if (!isAvailable(in)) {
                  completeStage();
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                if (isAvailable(in)) {
                  push(out, grab(in));
                  if (isClosed(in)) {
                    completeStage();
                  }
                  return;
                }
                if (pendingProbes > 0) {
                  pendingProbes--;
                  push(out, SseFrames.KEEP_ALIVE);
                }
                if (!isClosed(in) && !hasBeenPulled(in)) {
                  pull(in);
                }
              }
            });
      }

      @Override
      public void preStart() {
        // Each new stream of a key probes the key's others: one whose client left fails a write
        // or two opens later and gives its slot back long before the key would look full.
        slots.probe(key);
        unwatch = slots.watch(key, () -> probed.invoke(Boolean.TRUE));
        slots.take(key);
        scheduleWithFixedDelay(KEY_CHECK, keyCheckInterval, keyCheckInterval);
        clientGone.whenComplete((done, failure) -> left.invoke(Boolean.TRUE));
      }

      @Override
      public void postStop() {
        slots.give(key);
        unwatch.run();
      }

      private void onProbe() {
        if (isAvailable(out) && !isAvailable(in)) {
          push(out, SseFrames.KEEP_ALIVE);
        } else if (pendingProbes < MAX_PENDING_PROBES) {
          pendingProbes++;
        }
      }

      @Override
      public void onTimer(Object timerKey) {
        if (checking) {
          return; // the last check has not answered yet
        }
        checking = true;
        keyStillValid
            .get()
            .whenComplete(
                (valid, failure) -> checked.invoke(failure != null ? failure : (Object) valid));
      }

      private void onKeyChecked(Object outcome) {
        checking = false;
        if (outcome instanceof Throwable failure) {
          failStage(failure);
        } else if (!Boolean.TRUE.equals(outcome)) {
          completeStage(); // its key is gone
        }
      }
    };
  }
}
