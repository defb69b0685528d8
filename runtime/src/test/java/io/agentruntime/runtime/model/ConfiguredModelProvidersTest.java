package io.agentruntime.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.testing.FakeOpenAiServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Providers from {@code agent-runtime.models}: the built-ins and named OpenAI-compatible ones. */
class ConfiguredModelProvidersTest {

  private static final String KEY = "sk-configured-secret-4711";

  @Test
  void defaultIsTheScriptedModelWithoutABaseUrl() {
    ConfiguredModelProviders providers =
        ConfiguredModelProviders.create(ModelSettings.fromConfig(config(""), name -> null));

    assertEquals(Set.of("default", "scripted"), providers.names());
    assertInstanceOf(ScriptedModel.class, providers.provider("default").orElseThrow());
    assertInstanceOf(ScriptedModel.class, providers.provider("scripted").orElseThrow());
    assertEquals(Optional.empty(), providers.provider("gpt-99"));
  }

  @Test
  void defaultIsOpenAiCompatibleWhenTheEnvironmentGivesABaseUrl() {
    Config config =
        config(
            """
        agent-runtime.models.default { base-url = "https://models.example/v1", model = "m1" }
        """);

    ModelSettings settings =
        ModelSettings.fromConfig(
            config, name -> name.equals("AGENT_RUNTIME_MODEL_API_KEY") ? KEY : null);
    OpenAiSettings openAi = settings.openAi().get("default");

    assertEquals("https://models.example/v1", openAi.baseUrl());
    assertEquals("m1", openAi.model());
    assertEquals(KEY, openAi.apiKey());
    assertEquals(Duration.ofSeconds(10), openAi.connectTimeout());
    assertEquals(3, openAi.maxAttempts());
    ConfiguredModelProviders providers = ConfiguredModelProviders.create(settings);
    assertInstanceOf(OpenAiChatClient.class, providers.provider("default").orElseThrow());
    assertFalse(settings.toString().contains(KEY));
    assertFalse(providers.toString().contains(KEY));
  }

  @Test
  void aNamedOpenAiProviderAnswersFromItsEndpoint() throws Exception {
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      server.enqueue(FakeOpenAiServer.text("from the local model"));
      Config config =
          config(
              """
          agent-runtime.models.providers.local {
            base-url = "%s"
            model = "llama-local"
            api-key-env = "LOCAL_MODEL_KEY"
            timeout = 30s
            max-attempts = 5
          }
          agent-runtime.models.providers.demo { kind = scripted }
          """
                  .formatted(server.baseUrl()));
      ModelSettings settings =
          ModelSettings.fromConfig(config, name -> name.equals("LOCAL_MODEL_KEY") ? KEY : null);
      ConfiguredModelProviders providers = ConfiguredModelProviders.create(settings);

      ModelReply reply =
          ModelCalls.reply(providers.provider("local").orElseThrow(), ModelCalls.ask("hi"));

      assertEquals(Set.of("default", "scripted", "local", "demo"), providers.names());
      assertEquals(Duration.ofSeconds(30), settings.openAi().get("local").timeout());
      assertEquals(5, settings.openAi().get("local").maxAttempts());
      assertInstanceOf(ScriptedModel.class, providers.provider("demo").orElseThrow());
      assertEquals("from the local model", reply.text());
      assertEquals("llama-local", server.requests().get(0).path("model").asText());
      assertEquals("Bearer " + KEY, server.recorded().get(0).header("Authorization"));
    }
  }

  @Test
  void aKeyVariableThatIsNotSetMeansNoKey() {
    Config config =
        config(
            """
        agent-runtime.models.providers.p {
          base-url = "http://127.0.0.1:1/v1", model = "m", api-key-env = "UNSET_VARIABLE" }
        """);

    assertNull(ModelSettings.fromConfig(config, name -> null).openAi().get("p").apiKey());
  }

  @Test
  void rejectsBadProviderConfiguration() {
    assertThrows(
        ConfigException.class,
        () ->
            ModelSettings.fromConfig(
                config("agent-runtime.models.providers.x { kind = magic }"), name -> null));
    assertThrows(
        ConfigException.class,
        () ->
            ModelSettings.fromConfig(
                config("agent-runtime.models.providers.default { kind = scripted }"),
                name -> null));
    assertThrows(
        ConfigException.class,
        () ->
            ModelSettings.fromConfig(
                config("agent-runtime.models.providers.x { base-url = \"http://h/v1\" }"),
                name -> null));
    assertThrows(
        ConfigException.class,
        () ->
            ModelSettings.fromConfig(
                config(
                    "agent-runtime.models.providers.x { base-url = \"http://h/v1\", model = \"\" }"),
                name -> null));
    assertThrows(
        ConfigException.class,
        () ->
            ModelSettings.fromConfig(
                config("agent-runtime.models.default { base-url = \"http://h/v1\" }"),
                name -> null),
        "a base URL from the environment needs a model name too");
  }

  @Test
  void pricesAreReadPerProviderAndUnsetMeansUnknown() {
    ModelSettings settings =
        ModelSettings.fromConfig(
            config(
                """
        agent-runtime.models.default.price { input-per-million = 0.15, output-per-million = 0.6 }
        agent-runtime.models.providers.big {
          base-url = "http://h/v1", model = "m", price { input-per-million = 5, output-per-million = "15.00" }
        }
        agent-runtime.models.providers.free { base-url = "http://h/v1", model = "m" }
        """),
            name -> null);

    assertEquals(Set.of("default", "big"), settings.prices().keySet(), "free has no price");
    ModelPrice small = settings.prices().get("default");
    // 1000 input tokens at 0.15 and 500 output at 0.60 per million: 0.00015 + 0.0003 USD
    assertEquals(0, new BigDecimal("0.00045").compareTo(small.cost(1000, 500)));
    assertEquals(
        0, new BigDecimal("20").compareTo(settings.prices().get("big").cost(1_000_000, 1_000_000)));
    ConfiguredModelProviders providers = ConfiguredModelProviders.create(settings);
    assertInstanceOf(PricedModelClient.class, providers.provider("big").orElseThrow());
    assertInstanceOf(OpenAiChatClient.class, providers.provider("free").orElseThrow());
  }

  @Test
  void aPricedProviderRepliesWithTheCostOfItsTokens() throws Exception {
    ModelClient tokens =
        (request, onDelta) ->
            java.util.concurrent.CompletableFuture.completedFuture(
                new ModelReply("hi", java.util.List.of(), 2000, 1000));
    ModelReply reply =
        new PricedModelClient(tokens, new ModelPrice(new BigDecimal("3"), new BigDecimal("15")))
            .complete(null, null)
            .toCompletableFuture()
            .get();
    assertEquals(0, new BigDecimal("0.021").compareTo(reply.costUsd()));
    assertNull(tokens.complete(null, null).toCompletableFuture().get().costUsd(), "unpriced");
  }

  @Test
  void badPricesStopTheNodeWithAMessageNamingTheSetting() {
    for (String bad :
        List.of(
            "agent-runtime.models.default.price { input-per-million = -1, output-per-million = 1 }",
            "agent-runtime.models.default.price { input-per-million = cheap, output-per-million = 1 }",
            "agent-runtime.models.default.price { input-per-million = 1 }",
            "agent-runtime.models.default.price = 3",
            "agent-runtime.models.providers.x { kind = scripted, price { input-per-million = [1], output-per-million = 1 } }")) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> ModelSettings.fromConfig(config(bad), n -> null), bad);
      assertTrue(e.getMessage().contains(".price"), e.getMessage());
      assertTrue(e.getMessage().contains("per million tokens"), e.getMessage());
    }
  }

  @Test
  void providersCanBeGivenDirectly() {
    ConfiguredModelProviders providers =
        new ConfiguredModelProviders(Map.of("only", new ScriptedModel()));

    assertEquals(Set.of("only"), providers.names());
    assertTrue(providers.provider("only").isPresent());
  }

  /** The shipped defaults, with the environment's base URL replaced by {@code overrides}. */
  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString("agent-runtime.models.default.base-url = \"\""))
        .withFallback(ConfigFactory.parseResources("agent-runtime-models.conf"))
        .resolve();
  }
}
