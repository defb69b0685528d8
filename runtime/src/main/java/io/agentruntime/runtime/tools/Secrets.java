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
 * Resolves a tool connection's {@code secretRef} when the call is made, so a secret never enters
 * the journal and a rotated one takes effect without a restart.
 *
 * <p>The secrets file (a JSON object, name to string value) wins over the environment: it is the
 * one that can be rotated while the server runs. It is re-read whenever its modification time or
 * size changes; a file that no longer parses keeps the last good values (a writer may be half way),
 * a deleted file holds no secrets. Environment variables named {@code AGENT_RUNTIME_*} are the
 * server's own settings (the model API key among them) and are never handed to a tool. Values are
 * stripped of surrounding whitespace; an empty value counts as missing. Nothing here ever logs a
 * value.
 */
public final class Secrets {

  private static final Logger log = LoggerFactory.getLogger(Secrets.class);
  private static final String OWN_SETTINGS_PREFIX = "AGENT_RUNTIME_";

  private final Optional<Path> file;
  private final Function<String, String> environment;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(Snapshot.NONE);

  /**
   * {@code environment} looks a variable up by name (null when unset): {@code System::getenv} in
   * production.
   */
  public Secrets(Optional<Path> file, Function<String, String> environment) {
    this.file = file;
    this.environment = environment;
  }

  /** The process environment and, when configured, the secrets file. */
  public static Secrets fromEnvironment(Optional<Path> file) {
    return new Secrets(file, System::getenv);
  }

  /** The secret's value, or empty when neither the secrets file nor the environment knows it. */
  public Optional<String> resolve(String ref) {
    if (ref == null || ref.isBlank()) {
      return Optional.empty();
    }
    String fromFile = currentFile().get(ref);
    if (fromFile != null) {
      return usable(fromFile);
    }
    if (ref.startsWith(OWN_SETTINGS_PREFIX)) {
      return Optional.empty();
    }
    return usable(environment.apply(ref));
  }

  /** Whether a value can be sent in an HTTP header: no control characters (CR, LF ...). */
  public static boolean fitsInHeader(String value) {
    return value.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  private static Optional<String> usable(String value) {
    return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
  }

  private Map<String, String> currentFile() {
    if (file.isEmpty()) {
      return Map.of();
    }
    Path path = file.get();
    Snapshot known = snapshot.get();
    Stamp stamp;
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      stamp = new Stamp(attributes.lastModifiedTime(), attributes.size());
    } catch (NoSuchFileException e) {
      return replace(known, Snapshot.NONE).values();
    } catch (IOException e) {
      log.warn(
          "Cannot read the secrets file {}: {}; keeping the secrets read before",
          path,
          e.getMessage());
      return known.values();
    }
    if (stamp.equals(known.stamp())) {
      return known.values();
    }
    try {
      return replace(known, new Snapshot(stamp, parse(Files.readAllBytes(path)))).values();
    } catch (IOException | IllegalArgumentException e) {
      // The message of a parse error may quote the file's content: name the file only.
      log.warn(
          "The secrets file {} is not a JSON object of strings; keeping the secrets read before",
          path);
      return known.values();
    }
  }

  private Snapshot replace(Snapshot known, Snapshot next) {
    return snapshot.compareAndSet(known, next) ? next : snapshot.get();
  }

  private Map<String, String> parse(byte[] content) throws IOException {
    JsonNode root = mapper.readTree(content);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not an object");
    }
    Map<String, String> values = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      if (entry.getValue().isTextual()) {
        values.put(entry.getKey(), entry.getValue().textValue());
      } else {
        log.warn("Secret '{}' in the secrets file is not a string; ignored", entry.getKey());
      }
    }
    return Map.copyOf(values);
  }

  private record Stamp(FileTime modified, long size) {}

  private record Snapshot(Stamp stamp, Map<String, String> values) {
    static final Snapshot NONE = new Snapshot(null, Map.of());
  }
}
