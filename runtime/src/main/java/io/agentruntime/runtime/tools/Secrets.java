package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a tool connection's {@code secretRef} when the call is made, among the secrets granted
 * to the calling session's tenant only, so a secret never enters the journal, a rotated one takes
 * effect without a restart, and no tenant can use another's credential (decision 0019).
 *
 * <p>The secrets file maps tenant to secret name to a grant:
 *
 * <pre>{@code
 * {"tenants": {"acme": {"CRM_TOKEN": {"value": "..."}, "MAIL_TOKEN": {"env": "ACME_MAIL_TOKEN"}}}}
 * }</pre>
 *
 * A {@code value} is the secret itself; an {@code env} names an environment variable the operator
 * grants to that tenant. Nothing else resolves: no environment variable is reachable by naming it,
 * and a name that is unknown and one granted to another tenant look the same to the caller.
 * Environment variables named {@code AGENT_RUNTIME_*} are the server's own settings (the model API
 * key among them) and cannot be granted.
 *
 * <p>The file is re-read whenever its modification time or size changes; a file that no longer
 * parses keeps the last good grants (a writer may be half way), a deleted file grants nothing. At
 * start ({@link #fromEnvironment}) a file in any other shape, the flat {@code {"NAME": "value"}} of
 * earlier versions included, stops the node with a message naming the expected format. Values are
 * stripped of surrounding whitespace; an empty value counts as missing. Nothing here ever logs a
 * value.
 */
public final class Secrets {

  private static final Logger log = LoggerFactory.getLogger(Secrets.class);
  private static final String OWN_SETTINGS_PREFIX = "AGENT_RUNTIME_";

  /** The format, for messages about a file that does not follow it. */
  static final String FORMAT =
      "{\"tenants\": {\"<tenant>\": {\"<NAME>\": {\"value\": \"<secret>\"} or {\"env\":"
          + " \"<VARIABLE>\"}}}}";

  private final Optional<Path> file;
  private final Function<String, String> environment;
  private final Map<String, Map<String, Grant>> fixed;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(Snapshot.NONE);

  /** What a tenant's secret name resolves to. */
  private sealed interface Grant {
    record Value(String value) implements Grant {}

    record Env(String variable) implements Grant {}
  }

  /**
   * {@code environment} looks a variable up by name (null when unset): {@code System::getenv} in
   * production. Only variables the file grants are ever looked up.
   */
  public Secrets(Optional<Path> file, Function<String, String> environment) {
    this(file, environment, Map.of());
  }

  private Secrets(
      Optional<Path> file,
      Function<String, String> environment,
      Map<String, Map<String, Grant>> fixed) {
    this.file = file;
    this.environment = environment;
    this.fixed = fixed;
  }

  /**
   * The process environment and, when configured, the secrets file, which is read now: a file that
   * exists and is not in the format fails with an {@link IllegalStateException} saying so.
   */
  public static Secrets fromEnvironment(Optional<Path> file) {
    Secrets secrets = new Secrets(file, System::getenv);
    secrets.check();
    return secrets;
  }

  /** Fixed values, tenant to name to value, with no file and no environment (embedding, tests). */
  public static Secrets of(Map<String, Map<String, String>> valuesByTenant) {
    Map<String, Map<String, Grant>> grants = new HashMap<>();
    valuesByTenant.forEach(
        (tenant, values) -> {
          Map<String, Grant> named = new HashMap<>();
          values.forEach((name, value) -> named.put(name, new Grant.Value(value)));
          grants.put(tenant, Map.copyOf(named));
        });
    return new Secrets(Optional.empty(), name -> null, Map.copyOf(grants));
  }

  /**
   * The value of the secret {@code ref} as granted to {@code tenant}, or empty when the tenant has
   * no such grant (whether the name is unknown or another tenant's), or its value is empty.
   */
  public Optional<String> resolve(String tenant, String ref) {
    if (tenant == null || ref == null || ref.isBlank()) {
      return Optional.empty();
    }
    Grant grant = current().getOrDefault(tenant, Map.of()).get(ref);
    if (grant instanceof Grant.Value v) {
      return usable(v.value());
    }
    if (grant instanceof Grant.Env e && !e.variable().startsWith(OWN_SETTINGS_PREFIX)) {
      return usable(environment.apply(e.variable()));
    }
    return Optional.empty();
  }

  /** Whether a value can be sent in an HTTP header: no control characters (CR, LF ...). */
  public static boolean fitsInHeader(String value) {
    return value.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  private static Optional<String> usable(String value) {
    return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
  }

  /** Reads the file now; one that exists and is not in the format fails the start. */
  private void check() {
    if (file.isEmpty()) {
      return;
    }
    Path path = file.get();
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      log.warn("The secrets file {} does not exist (yet): no tool secrets until it does", path);
      return;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the secrets file " + path, e);
    }
    try {
      parse(content);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "The secrets file " + path + " is not in the expected format " + FORMAT + ": " + why(e));
    }
    current();
  }

  private Map<String, Map<String, Grant>> current() {
    if (file.isEmpty()) {
      return fixed;
    }
    Path path = file.get();
    Snapshot known = snapshot.get();
    Stamp stamp;
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      stamp = new Stamp(attributes.lastModifiedTime(), attributes.size());
    } catch (NoSuchFileException e) {
      return replace(known, Snapshot.NONE).grants();
    } catch (IOException e) {
      log.warn(
          "Cannot read the secrets file {}: {}; keeping the secrets read before",
          path,
          e.getMessage());
      return known.grants();
    }
    if (stamp.equals(known.stamp())) {
      return known.grants();
    }
    try {
      return replace(known, new Snapshot(stamp, parse(Files.readAllBytes(path)))).grants();
    } catch (IOException | IllegalArgumentException e) {
      log.warn(
          "The secrets file {} is not in the format {} ({}); keeping the secrets read before",
          path,
          FORMAT,
          why(e));
      return known.grants();
    }
  }

  /** Why a file was refused, without its content: a parser's message may quote it. */
  private static String why(Exception e) {
    return e instanceof IllegalArgumentException ? e.getMessage() : "it is not valid JSON";
  }

  private Snapshot replace(Snapshot known, Snapshot next) {
    return snapshot.compareAndSet(known, next) ? next : snapshot.get();
  }

  /** The grants of a file; messages name tenants and secrets, never values. */
  private Map<String, Map<String, Grant>> parse(byte[] content) throws IOException {
    JsonNode root = mapper.readTree(content);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("it is not a JSON object");
    }
    JsonNode tenants = root.get("tenants");
    if (tenants == null || root.size() != 1) {
      throw new IllegalArgumentException(
          "it must hold \"tenants\" and nothing else; the flat {\"NAME\": \"value\"} of earlier"
              + " versions granted every secret to every tenant and is no longer read");
    }
    if (!tenants.isObject()) {
      throw new IllegalArgumentException("\"tenants\" is not an object");
    }
    Map<String, Map<String, Grant>> grants = new HashMap<>();
    for (Map.Entry<String, JsonNode> tenant : tenants.properties()) {
      if (!tenant.getValue().isObject()) {
        throw new IllegalArgumentException("tenant '" + tenant.getKey() + "' is not an object");
      }
      Map<String, Grant> named = new HashMap<>();
      for (Map.Entry<String, JsonNode> secret : tenant.getValue().properties()) {
        named.put(secret.getKey(), grant(tenant.getKey(), secret.getKey(), secret.getValue()));
      }
      grants.put(tenant.getKey(), Map.copyOf(named));
    }
    return Map.copyOf(grants);
  }

  private static Grant grant(String tenant, String name, JsonNode node) {
    String where = "secret '" + name + "' of tenant '" + tenant + "'";
    if (node.isObject() && node.size() == 1 && node.path("value").isTextual()) {
      return new Grant.Value(node.get("value").textValue());
    }
    if (node.isObject() && node.size() == 1 && node.path("env").isTextual()) {
      String variable = node.get("env").textValue();
      if (variable.startsWith(OWN_SETTINGS_PREFIX)) {
        throw new IllegalArgumentException(
            where + " grants " + variable + ", one of the server's own settings");
      }
      return new Grant.Env(variable);
    }
    throw new IllegalArgumentException(
        where + " must be {\"value\": \"...\"} or {\"env\": \"VARIABLE\"}");
  }

  private record Stamp(FileTime modified, long size) {}

  private record Snapshot(Stamp stamp, Map<String, Map<String, Grant>> grants) {
    static final Snapshot NONE = new Snapshot(null, Map.of());
  }
}
