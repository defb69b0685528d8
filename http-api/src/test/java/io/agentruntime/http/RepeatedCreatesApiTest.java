package io.agentruntime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.beta.agents.AgentCreateParams;
import com.openai.models.beta.agents.sessions.SessionCreateParams;
import io.agentruntime.http.Api.Response;
import io.agentruntime.runtime.session.SessionEvent;
import io.agentruntime.runtime.webhooks.WebhookEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official SDKs retry a 5xx twice, resending the same request, and they send no Idempotency-Key
 * on creates: a create whose outcome the node cannot tell must say {@code x-should-retry: false},
 * or a user who asked for one agent or session gets three.
 */
class RepeatedCreatesApiTest {

  private static TestNode node;
  private static PersistenceTestKit journal;

  @BeforeAll
  static void start() {
    node =
        TestNode.start(
            "agent-runtime.session.ask-timeout = 1s\n"
                + "agent-runtime.webhooks.ask-timeout = 1s\n"
                + "agent-runtime.webhooks.secret-key ="
                + " \"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"");
    journal = PersistenceTestKit.create(node.system);
    // Warm: a cold first ask may time out before the write, which is a plain 503 (nothing taken).
    sdk().beta().agents().create(AgentCreateParams.builder().model("default").name("w").build());
    node.api.post(TestKeys.ADA, "/v1/sessions", "{\"id\": \"retry-warm\"}");
  }

  @AfterEach
  void passAll() {
    journal.resetPolicy();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static OpenAIClient sdk() {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + node.server.address().getPort() + "/v1")
        .apiKey(TestKeys.ADA)
        .maxRetries(2) // the SDKs' default
        .build();
  }

  @Test
  void aSessionCreateThatLandedButReportedAFailureIsNotRepeatedByTheSdk() {
    AtomicInteger writes =
        landThenFail(
            pid -> pid.startsWith("Session|acme:"),
            batch -> batch.stream().anyMatch(SessionEvent.SessionCreated.class::isInstance));

    Optional<Integer> failed =
        statusOf(
            () ->
                sdk()
                    .beta()
                    .agents()
                    .sessions()
                    .create(
                        SessionCreateParams.builder()
                            .agent(
                                SessionCreateParams.Agent.builder()
                                    .model("default")
                                    .instructions("Be brief.")
                                    .build())
                            .environmentNone()
                            .build()));

    assertTrue(failed.isEmpty() || failed.get() == 504, "never a 503: " + failed);
    assertEquals(1, writes.get(), "one create asked for, one session written");
  }

  @Test
  void anAgentCreateThatLandedButReportedAFailureIsNotRepeatedByTheSdk() {
    AtomicInteger writes = landThenFail(pid -> pid.startsWith("AgentCatalog|"), batch -> true);

    Optional<Integer> failed =
        statusOf(
            () ->
                sdk()
                    .beta()
                    .agents()
                    .create(AgentCreateParams.builder().model("default").name("once").build()));

    assertTrue(failed.isEmpty() || failed.get() == 504, "never a 503: " + failed);
    assertEquals(1, writes.get(), "one create asked for, one agent written");
  }

  @Test
  void aWebhookRegistrationThatLandedIsAnsweredWithItsEndpoint() {
    String body = "{\"url\": \"http://127.0.0.1:9/hook\", \"events\": [\"agent.session.idle\"]}";
    node.api.post(TestKeys.OLGA, "/v1/webhooks", body); // warm
    AtomicInteger writes =
        landThenFail(
            pid -> pid.startsWith("Webhooks|"),
            batch -> batch.stream().anyMatch(WebhookEvent.EndpointRegistered.class::isInstance));

    Response made = node.api.post(TestKeys.OLGA, "/v1/webhooks", body);

    assertEquals(1, writes.get());
    assertTrue(made.status() == 201 || made.status() == 504, "never a 503: " + made);
    if (made.status() == 201) {
      String id = made.json().get("id").asText();
      assertEquals(200, node.api.get(TestKeys.OLGA, "/v1/webhooks/" + id).status());
    } else {
      assertEquals(Optional.of("false"), made.header(RETRY), made.toString());
    }
  }

  @Test
  void ourOwnApiGivesTheSameAdviceAndLeavesItOutWhenARepeatIsSafe() {
    String id = "retry-advice";
    assertEquals(
        201, node.api.post(TestKeys.ADA, "/v1/sessions", "{\"id\": \"" + id + "\"}").status());
    Predicate<List<Object>> memory =
        batch -> batch.stream().anyMatch(SessionEvent.MemoryWritten.class::isInstance);

    landThenFail(pid -> pid.equals("Session|acme:" + id), memory);
    Response unkeyed = node.api.put(TestKeys.ADA, "/v1/sessions/" + id + "/memory/a", "1");
    journal.resetPolicy();
    landThenFail(pid -> pid.equals("Session|acme:" + id), memory);
    Response keyed =
        node.api.send(
            "PUT",
            "/v1/sessions/" + id + "/memory/b",
            TestKeys.ADA,
            "2",
            Map.of("Idempotency-Key", "advice-1"));

    assertEquals(504, unkeyed.status(), unkeyed.toString());
    assertEquals(Optional.of("false"), unkeyed.header(RETRY), unkeyed.toString());
    assertEquals(Optional.empty(), keyed.header(RETRY), "a keyed repeat is safe: " + keyed);
  }

  /** Empty when {@code call} succeeded, else the status it failed with. */
  private static Optional<Integer> statusOf(Runnable call) {
    try {
      call.run();
      return Optional.empty();
    } catch (OpenAIServiceException e) {
      return Optional.of(e.statusCode());
    }
  }

  private static final String RETRY = "x-should-retry";

  /**
   * The first write of a matching batch lands and is then reported failed, as a Cassandra write
   * that timed out can be; counts the matching writes asked for.
   */
  private static AtomicInteger landThenFail(
      Predicate<String> pids, Predicate<List<Object>> batches) {
    AtomicInteger writes = new AtomicInteger();
    journal.withPolicy(
        (pid, op) -> {
          if (pids.test(pid)
              && op instanceof WriteEvents write
              && batches.test(List.copyOf(write.getBatch()))
              && writes.incrementAndGet() == 1) {
            List<Object> events = List.copyOf(write.getBatch());
            Thread landing = new Thread(() -> journal.persistForRecovery(pid, events));
            landing.start();
            try {
              landing.join(5_000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return StorageFailure.create();
          }
          return (ProcessingResult) ProcessingSuccess.getInstance();
        });
    return writes;
  }
}
