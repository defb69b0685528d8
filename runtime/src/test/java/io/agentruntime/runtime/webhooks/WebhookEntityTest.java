package io.agentruntime.runtime.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.agentruntime.runtime.session.LifecycleNotice;
import io.agentruntime.runtime.tools.ToolHosts;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox keeps what it acknowledged: a delivery pending when the entity stops (a crash, a
 * move), or whose POST was cut off, is tried again by the next incarnation under the same {@code
 * webhook-id} until a 2xx; a change offered again is queued once; nothing is written for a tenant
 * whose endpoints do not take it.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class WebhookEntityTest {

  @JUnit5TestKit
  public final ActorTestKit testKit =
      new JUnit5TestKitBuilder()
          .withName("WebhookEntityTest")
          .withCustomConfig(EventSourcedBehaviorTestKit.config())
          .build();

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger TENANTS = new AtomicInteger();

  private final List<String> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger status = new AtomicInteger(200);
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private HttpServer receiver;
  private SecretBox box;
  private String tenant;

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    receiver.createContext(
        "/hooks",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          int answer = status.get(); // as it was when the request came
          received.add(exchange.getRequestHeaders().getFirst("webhook-id"));
          try {
            hold.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(answer, -1);
          exchange.close();
        });
    receiver.start();
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    box = new SecretBox(key, RANDOM);
    tenant = "t" + TENANTS.incrementAndGet();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private EventSourcedBehaviorTestKit<WebhookEntity.Command, WebhookEvent, WebhookState> outbox(
      Duration giveUpAfter) {
    WebhookSettings settings =
        new WebhookSettings(
            Optional.empty(),
            ToolHosts.loopbackOnly(),
            10,
            Duration.ofSeconds(5),
            new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), giveUpAfter),
            100,
            1000,
            Duration.ofHours(48),
            Duration.ofSeconds(3),
            3,
            Duration.ofSeconds(2),
            "");
    WebhookSender sender = new WebhookSender(settings, Optional.of(box), Clock.systemUTC());
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        WebhookEntity.create(tenant, sender, Clock.systemUTC()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  private String register(
      EventSourcedBehaviorTestKit<WebhookEntity.Command, WebhookEvent, WebhookState> kit,
      List<String> events) {
    String id = "we_" + TENANTS.incrementAndGet();
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
    Endpoint e =
        new Endpoint(
            id,
            url,
            events,
            box.seal(WebhookSignature.newSecret(RANDOM), tenant, id),
            "olga",
            Instant.now().minusSeconds(1));
    var made =
        kit.<WebhookEntity.Registration>runCommand(r -> new WebhookEntity.Register(e, 10, r));
    assertNull(made.reply().problem());
    return id;
  }

  private static LifecycleNotice idle(String eventId) {
    return new LifecycleNotice(eventId, LifecycleNotice.IDLE, "s1", null, Instant.now());
  }

  @Test
  void aPendingDeliveryIsDeliveredByTheNextIncarnationUnderTheSameId() throws Exception {
    var kit = outbox(Duration.ofHours(1));
    String hook = register(kit, List.of(LifecycleNotice.IDLE));
    status.set(500);
    var offered = kit.<Done>runCommand(r -> new WebhookEntity.Offer(idle("evt_a"), r));
    assertEquals(1, offered.events().size(), "journaled before it is acknowledged");
    await(() -> received.size() >= 1);

    kit.restart(); // a crash or a move: what was queued comes back with the journal
    status.set(200);
    Delivery d = awaitDelivery(kit, hook, x -> x.state().equals(Delivery.DELIVERED));
    assertEquals(200, d.lastStatus());
    assertTrue(received.size() >= 2, "the failed POST, then the one after the restart");
    assertTrue(received.stream().allMatch("evt_a"::equals), "" + received);
  }

  @Test
  void aPostCutOffByTheEntityStoppingIsMadeAgain() throws Exception {
    var kit = outbox(Duration.ofHours(1));
    String hook = register(kit, List.of(LifecycleNotice.IDLE));
    hold = new CountDownLatch(1); // the receiver takes the POST and does not answer yet
    kit.<Done>runCommand(r -> new WebhookEntity.Offer(idle("evt_b"), r));
    await(() -> received.size() == 1);

    kit.restart(); // nothing was journaled about the POST: it is made again
    await(() -> received.size() == 2);
    hold.countDown();
    awaitDelivery(kit, hook, x -> x.state().equals(Delivery.DELIVERED));
    assertEquals(List.of("evt_b", "evt_b"), received.subList(0, 2));
  }

  @Test
  void aChangeOfferedAgainIsQueuedOnceAndOnlyForEndpointsThatTakeIt() throws Exception {
    var kit = outbox(Duration.ofHours(1));
    var none = kit.<Done>runCommand(r -> new WebhookEntity.Offer(idle("evt_c"), r));
    assertTrue(none.hasNoEvents(), "no endpoint: nothing journaled");

    String hook = register(kit, List.of(LifecycleNotice.IDLE));
    LifecycleNotice before =
        new LifecycleNotice(
            "evt_old", LifecycleNotice.IDLE, "s1", null, Instant.now().minusSeconds(3600));
    assertTrue(
        kit.<Done>runCommand(r -> new WebhookEntity.Offer(before, r)).hasNoEvents(),
        "a change from before the endpoint was made is not for it");
    assertTrue(
        kit.<Done>runCommand(
                r ->
                    new WebhookEntity.Offer(
                        new LifecycleNotice(
                            "evt_d", LifecycleNotice.CREATED, "s1", null, Instant.now()),
                        r))
            .hasNoEvents(),
        "a type the endpoint did not ask for is not queued");

    LifecycleNotice once = idle("evt_e");
    assertEquals(1, kit.<Done>runCommand(r -> new WebhookEntity.Offer(once, r)).events().size());
    awaitDelivery(kit, hook, x -> x.state().equals(Delivery.DELIVERED));
    assertTrue(
        kit.<Done>runCommand(r -> new WebhookEntity.Offer(once, r)).hasNoEvents(),
        "announced again (a recovery): kept once");
    kit.restart();
    assertTrue(
        kit.<Done>runCommand(r -> new WebhookEntity.Offer(once, r)).hasNoEvents(),
        "and still after a restart");
    Thread.sleep(300);
    assertEquals(1, received.stream().filter("evt_e"::equals).count());
  }

  @Test
  void aDeliveryThatNeverSucceedsIsGivenUpAndARedeliveryStartsAgain() throws Exception {
    var kit = outbox(Duration.ofMillis(700));
    String hook = register(kit, List.of(LifecycleNotice.IDLE));
    status.set(503);
    kit.<Done>runCommand(r -> new WebhookEntity.Offer(idle("evt_f"), r));
    Delivery gaveUp = awaitDelivery(kit, hook, x -> x.state().equals(Delivery.GIVEN_UP));
    assertEquals(503, gaveUp.lastStatus());
    assertNull(gaveUp.nextAttemptAt());
    int tries = received.size();
    assertEquals(gaveUp.attempts(), tries);

    status.set(204);
    kit.<WebhookEntity.Found>runCommand(r -> new WebhookEntity.Redeliver(hook, "evt_f", "olga", r));
    Delivery again = awaitDelivery(kit, hook, x -> x.state().equals(Delivery.DELIVERED));
    assertEquals(tries + 1, again.attempts());
    assertEquals(204, again.lastStatus());
  }

  private Delivery awaitDelivery(
      EventSourcedBehaviorTestKit<WebhookEntity.Command, WebhookEvent, WebhookState> kit,
      String hook,
      Predicate<Delivery> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<Delivery> log = kit.getState().log(hook);
      if (!log.isEmpty() && done.test(log.get(0))) {
        return log.get(0);
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached: " + log + ", received " + received);
      }
      Thread.sleep(20);
    }
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached");
      }
      Thread.sleep(20);
    }
  }
}
