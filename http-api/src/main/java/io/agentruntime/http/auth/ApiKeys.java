package io.agentruntime.http.auth;

import io.agentruntime.http.HttpSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys the node accepts: those of the keys file, reloaded when the file changes, or the dev
 * key when it is enabled and no keys file is configured. Keys are held and compared only as SHA-256
 * hashes. A file that cannot be read or parsed is logged and the previous keys stay.
 *
 * <p>The file is looked at when keys are used, at most once per check interval, on the given
 * executor (for blocking I/O), never on the request's thread; the request that triggers a check is
 * answered with the keys as the check left them.
 */
public final class ApiKeys {

  public static final String DEV_KEY = "dev-key";
  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

  /** What the file looked like when last read; a change of either means it was rewritten. */
  private record Stamp(FileTime modified, long size) {}

  /** {@code checked} is false until the file was looked at once. */
  private record Loaded(List<ApiKey> keys, Optional<Stamp> stamp, boolean checked) {}

  private final Optional<Path> file;
  private final Executor io;
  private final long checkEveryNanos;
  private final AtomicLong nextCheckNanos;
  private final AtomicReference<Loaded> current;

  private ApiKeys(Optional<Path> file, List<ApiKey> initial, Executor io, Duration checkEvery) {
    this.file = file;
    this.io = io;
    this.checkEveryNanos = checkEvery.toNanos();
    this.nextCheckNanos = new AtomicLong(System.nanoTime() + checkEveryNanos);
    this.current = new AtomicReference<>(new Loaded(initial, Optional.empty(), false));
  }

  /**
   * Loads the keys the settings name, reading the keys file once now; later checks of the file run
   * on {@code io}.
   */
  public static ApiKeys fromSettings(HttpSettings settings, Executor io) {
    Duration checkEvery = settings.keysReloadInterval();
    if (settings.keysFile().isPresent()) {
      ApiKeys keys = new ApiKeys(settings.keysFile(), List.of(), io, checkEvery);
      keys.reloadIfChanged();
      return keys;
    }
    if (settings.devKeyEnabled()) {
      log.warn(
          "No keys file configured: the dev key is accepted (tenant dev, user dev, all roles)");
      byte[] hash = sha256(DEV_KEY);
      String id = HexFormat.of().formatHex(hash);
      Principal dev = new Principal("dev", "dev", EnumSet.allOf(Role.class), id);
      return new ApiKeys(Optional.empty(), List.of(new ApiKey(id, hash, dev)), io, checkEvery);
    }
    log.warn(
        "No keys file configured and the dev key is off: every /v1/sessions request answers 401");
    return new ApiKeys(Optional.empty(), List.of(), io, checkEvery);
  }

  /** The key {@code presented}, once the keys file was checked if a check is due. */
  public CompletionStage<Optional<ApiKey>> find(String presented) {
    if (checkDue()) {
      return CompletableFuture.runAsync(this::reloadIfChanged, io)
          .handle((done, failure) -> lookup(presented));
    }
    return CompletableFuture.completedFuture(lookup(presented));
  }

  /**
   * Whether the key {@code principal} was authenticated with still speaks for it, once the keys
   * file was checked if a check is due: false once the key was removed from the file (or now speaks
   * for another tenant or user).
   */
  public CompletionStage<Boolean> stillValid(Principal principal) {
    if (checkDue()) {
      return CompletableFuture.runAsync(this::reloadIfChanged, io)
          .handle((done, failure) -> holds(principal));
    }
    return CompletableFuture.completedFuture(holds(principal));
  }

  private boolean holds(Principal principal) {
    for (ApiKey key : current.get().keys()) {
      if (key.id().equals(principal.keyId())) {
        return key.principal().tenant().equals(principal.tenant())
            && key.principal().user().equals(principal.user());
      }
    }
    return false;
  }

  /**
   * The key whose hash equals the hash of {@code presented}. Every configured key is compared, in
   * constant time, so the time taken says nothing about which keys exist.
   */
  Optional<ApiKey> lookup(String presented) {
    byte[] hash = sha256(presented);
    ApiKey found = null;
    for (ApiKey key : current.get().keys()) {
      if (MessageDigest.isEqual(hash, key.sha256()) && found == null) {
        found = key;
      }
    }
    return Optional.ofNullable(found);
  }

  private boolean checkDue() {
    if (file.isEmpty()) {
      return false;
    }
    long now = System.nanoTime();
    long next = nextCheckNanos.get();
    return now - next >= 0 && nextCheckNanos.compareAndSet(next, now + checkEveryNanos);
  }

  /** Reloads the keys file if its modification time or size changed since it was last read. */
  public synchronized void reloadIfChanged() {
    if (file.isEmpty()) {
      return;
    }
    Path path = file.get();
    Loaded before = current.get();
    Optional<Stamp> stamp = stamp(path);
    if (before.checked() && stamp.equals(before.stamp())) {
      return;
    }
    if (stamp.isEmpty()) {
      log.error(
          "Keys file {} cannot be read; keeping the {} keys loaded before",
          path,
          before.keys().size());
      current.set(new Loaded(before.keys(), stamp, true));
      return;
    }
    try {
      List<ApiKey> keys = KeysFile.parse(Files.readAllBytes(path));
      current.set(new Loaded(keys, stamp, true));
      log.info("Loaded {} API keys from {}", keys.size(), path);
    } catch (KeysFile.InvalidKeysFile | IOException e) {
      log.error(
          "Keys file {} is invalid ({}); keeping the {} keys loaded before",
          path,
          e.getMessage(),
          before.keys().size());
      current.set(new Loaded(before.keys(), stamp, true));
    }
  }

  private static Optional<Stamp> stamp(Path path) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
      return Optional.of(new Stamp(attrs.lastModifiedTime(), attrs.size()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
