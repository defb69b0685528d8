package io.agentruntime.runtime.model;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model providers of this node, read once from {@code agent-runtime.models}: the
 * OpenAI-compatible ones with their settings, and the names that serve the scripted model ({@code
 * scripted} always; {@code default} when no base URL is configured for it). API keys are looked up
 * in the environment by the name {@code api-key-env} gives, here and only here.
 */
public record ModelSettings(
    Map<String, OpenAiSettings> openAi, Set<String> scripted, Map<String, ModelPrice> prices) {

  public static final String DEFAULT = "default";
  public static final String SCRIPTED = "scripted";

  private static final Logger log = LoggerFactory.getLogger(ModelSettings.class);

  public ModelSettings {
    openAi = Map.copyOf(openAi);
    scripted = Set.copyOf(scripted);
    prices = Map.copyOf(prices);
  }

  /** Providers without prices: the cost of their calls is unknown. */
  public ModelSettings(Map<String, OpenAiSettings> openAi, Set<String> scripted) {
    this(openAi, scripted, Map.of());
  }

  public static ModelSettings fromConfig(Config root) {
    return fromConfig(root, System::getenv);
  }

  /** With {@code env} standing for the environment, so tests need not set variables. */
  public static ModelSettings fromConfig(Config root, Function<String, String> env) {
    Config models = root.getConfig("agent-runtime.models");
    Config defaults = models.getConfig("provider-defaults");
    Map<String, OpenAiSettings> openAi = new TreeMap<>();
    Set<String> scripted = new TreeSet<>(Set.of(SCRIPTED));
    Map<String, ModelPrice> prices = new TreeMap<>();
    Config fromEnvironment = models.getConfig(DEFAULT).withFallback(defaults);
    price(DEFAULT, fromEnvironment).ifPresent(p -> prices.put(DEFAULT, p));
    if (fromEnvironment.getString("base-url").isBlank()) {
      scripted.add(DEFAULT);
    } else {
      openAi.put(DEFAULT, openAi(DEFAULT, fromEnvironment, env));
    }
    ConfigObject providers = models.getObject("providers");
    for (Map.Entry<String, ConfigValue> entry : providers.entrySet()) {
      String name = entry.getKey();
      if (name.equals(DEFAULT) || name.equals(SCRIPTED)) {
        throw new ConfigException.BadPath(
            "agent-runtime.models.providers." + name,
            "the providers default and scripted are built in; configure default under "
                + "agent-runtime.models.default");
      }
      if (!(entry.getValue() instanceof ConfigObject block)) {
        throw new ConfigException.WrongType(
            entry.getValue().origin(),
            "agent-runtime.models.providers." + name,
            "object",
            entry.getValue().valueType().name());
      }
      Config provider = block.toConfig().withFallback(defaults);
      price(name, provider).ifPresent(p -> prices.put(name, p));
      switch (provider.getString("kind")) {
        case "openai" -> openAi.put(name, openAi(name, provider, env));
        case SCRIPTED -> scripted.add(name);
        default ->
            throw new ConfigException.BadValue(
                provider.origin(),
                "kind",
                "model provider " + name + ": kind must be openai or scripted");
      }
    }
    return new ModelSettings(openAi, scripted, prices);
  }

  /**
   * The provider's {@code price} block (USD per million input and output tokens), if it has one; a
   * block that lacks either price, or gives one that is not a number of 0 or more, stops the node
   * at start.
   */
  private static Optional<ModelPrice> price(String name, Config c) {
    if (!c.hasPath("price")) {
      return Optional.empty();
    }
    String path = "agent-runtime.models." + name + ".price";
    try {
      Config price = c.getConfig("price");
      return Optional.of(
          new ModelPrice(
              decimal(price, "input-per-million"), decimal(price, "output-per-million")));
    } catch (ConfigException.Missing | ConfigException.WrongType | IllegalArgumentException e) {
      throw new ConfigException.BadValue(
          c.getValue("price").origin(),
          path,
          "model provider "
              + name
              + ": price needs input-per-million and output-per-million, USD per million tokens, "
              + "each a number of 0 or more ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private static BigDecimal decimal(Config price, String key) {
    ConfigValue value = price.getValue(key);
    if (value.valueType() != ConfigValueType.NUMBER
        && value.valueType() != ConfigValueType.STRING) {
      throw new IllegalArgumentException(key + " is " + value.valueType().name().toLowerCase());
    }
    try {
      return new BigDecimal(price.getString(key).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not a number: " + price.getString(key));
    }
  }

  private static OpenAiSettings openAi(String name, Config c, Function<String, String> env) {
    try {
      return openAiSettings(name, c, env);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), "agent-runtime.models", e.getMessage(), e);
    }
  }

  private static OpenAiSettings openAiSettings(
      String name, Config c, Function<String, String> env) {
    return new OpenAiSettings(
        name,
        c.getString("base-url"),
        c.getString("model"),
        apiKey(name, c.getString("api-key-env"), env),
        c.getDuration("connect-timeout"),
        c.getDuration("timeout"),
        c.getInt("max-attempts"),
        c.getDuration("initial-backoff"),
        c.getDuration("max-backoff"),
        c.getDuration("retry-after-cap"),
        c.getBytes("max-reply-size"));
  }

  private static String apiKey(String provider, String variable, Function<String, String> env) {
    if (variable.isBlank()) {
      return null;
    }
    String key = env.apply(variable);
    if (key == null || key.isBlank()) {
      log.warn(
          "model provider {}: the environment variable {} is not set; calls go without an "
              + "API key",
          provider,
          variable);
      return null;
    }
    return key.strip();
  }
}
