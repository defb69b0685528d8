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
import java.time.Duration;
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
