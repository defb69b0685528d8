package io.agentruntime.runtime.vault;

import io.agentruntime.runtime.Continuations;
import io.agentruntime.runtime.tools.ToolExecutor;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenants' vaults as this node reaches them (decision 0029): every request goes to the tenant's
 * {@link VaultEntity} wherever it lives; secrets are sealed here, before they leave for the entity,
 * and opened here, only for a tool call ({@link CallCredentials}). One per actor system ({@link
 * #get}); sharding for the entities starts at the first request.
 */
public final class Vaults implements Extension {

  private static final Logger log = LoggerFactory.getLogger(Vaults.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The extension's id: {@code Vaults.get(system)}. */
  public static final class Id extends ExtensionId<Vaults> {
    @Override
    public Vaults createExtension(ActorSystem<?> system) {
      return new Vaults(system, VaultSettings.fromConfig(system.settings().config()));
    }
  }

  private static final Id ID = new Id();

  /** This actor system's vaults; the first call reads the settings and fails if a key is bad. */
  public static Vaults get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final VaultSettings settings;
  private final VaultCipher cipher;
  private final Executor dispatcher;
  private volatile ClusterSharding sharding;

  private Vaults(ActorSystem<?> system, VaultSettings settings) {
    this.system = system;
    this.settings = settings;
    this.cipher = new VaultCipher(settings.keys());
    this.dispatcher = system.executionContext();
    if (settings.keys().currentId().isEmpty()) {
      log.warn(
          "No vault key is configured (AGENT_RUNTIME_VAULT_KEY or AGENT_RUNTIME_VAULT_KEY_FILE):"
              + " this node refuses to create or rotate vault credentials, and opens only what an"
              + " old key sealed");
    } else {
      log.info("Vault keys: {}", settings.keys());
    }
  }

  public VaultSettings settings() {
    return settings;
  }

  VaultCipher cipher() {
    return cipher;
  }

  /** {@code tools}, resolving the vault credentials of every call and discovery first. */
  public ToolExecutor guarding(ToolExecutor tools) {
    return new VaultToolExecutor(tools, new CallCredentials(this));
  }

  // ---- vaults

  /**
   * Creates a vault: tenant-wide when {@code tenantWide} is true (operators only), the caller's own
   * when false, and when null, tenant-wide for an operator and the caller's own for anyone else.
   * The same {@code idempotencyKey} (null for none) of the same caller again finds the vault it
   * made.
   */
  public CompletionStage<Vault> createVault(
      String tenant,
      VaultCaller caller,
      Boolean tenantWide,
      String name,
      Map<String, String> metadata,
      String idempotencyKey) {
    Optional<VaultProblem> invalid =
        (name == null ? Optional.<VaultProblem>empty() : CredentialInput.name(name, "name"))
            .or(() -> CredentialInput.metadata(metadata));
    if (invalid.isPresent()) {
      return refused(invalid.get());
    }
    boolean wide = tenantWide != null ? tenantWide : caller.operator();
    String id = newId("vault_");
    return ask(
            tenant,
            r ->
                new VaultCommand.CreateVault(
                    caller,
                    id,
                    wide,
                    name == null ? null : name.strip(),
                    metadata,
                    requestKey(caller, idempotencyKey),
                    r))
        .thenApply(Vaults::single);
  }

  public CompletionStage<Vault> vault(String tenant, VaultCaller caller, String vaultId) {
    return ask(tenant, r -> new VaultCommand.GetVault(caller, vaultId, r))
        .thenApply(Vaults::single);
  }

  /** The vaults {@code caller} sees, oldest first, without credentials. */
  public CompletionStage<List<Vault>> vaults(String tenant, VaultCaller caller) {
    return ask(tenant, r -> new VaultCommand.ListVaults(caller, r)).thenApply(VaultReply::vaults);
  }

  /** {@code name} and {@code metadata} replace the vault's when given (null: unchanged). */
  public CompletionStage<Vault> updateVault(
      String tenant,
      VaultCaller caller,
      String vaultId,
      Optional<String> name,
      Optional<Map<String, String>> metadata) {
    Optional<VaultProblem> invalid =
        name.flatMap(n -> CredentialInput.name(n, "name"))
            .or(() -> metadata.flatMap(CredentialInput::metadata));
    if (invalid.isPresent()) {
      return refused(invalid.get());
    }
    return ask(
            tenant,
            r ->
                new VaultCommand.UpdateVault(
                    caller,
                    vaultId,
                    name.isPresent(),
                    name.map(String::strip).orElse(null),
                    metadata.isPresent(),
                    metadata.orElse(null),
                    r))
        .thenApply(Vaults::single);
  }

  /** Deletes the vault and every credential in it. */
  public CompletionStage<Void> deleteVault(String tenant, VaultCaller caller, String vaultId) {
    return ask(tenant, r -> new VaultCommand.DeleteVault(caller, vaultId, r)).thenApply(r -> null);
  }

  // ---- credentials

  /**
   * Seals the secret of {@code auth} and keeps the credential. Refused (UNAVAILABLE) when this node
   * has no vault key: nothing is sent to the entity.
   */
  public CompletionStage<Credential> createCredential(
      String tenant,
      VaultCaller caller,
      String vaultId,
      String name,
      Map<String, String> metadata,
      CredentialInput.Auth auth,
      String idempotencyKey) {
    Optional<VaultProblem> invalid =
        CredentialInput.name(name, "name")
            .or(() -> CredentialInput.metadata(metadata))
            .or(() -> CredentialInput.forCreate(auth, settings.maxSecretBytes()))
            .or(this::noKey);
    if (invalid.isPresent()) {
      return refused(invalid.get());
    }
    String id = newId("cred_");
    long now = Clock.systemUTC().instant().getEpochSecond();
    Sealed sealed = cipher.seal(new VaultCipher.Where(tenant, vaultId, id), auth.secret().strip());
    Credential credential =
        new Credential(
            id,
            name.strip(),
            metadata,
            now,
            now,
            new Credential.Auth(auth.type(), auth.mcpServerUrl(), auth.expiresAt(), sealed),
            requestKey(caller, idempotencyKey));
    return ask(tenant, r -> new VaultCommand.CreateCredential(caller, vaultId, credential, r))
        .thenApply(
            reply ->
                single(reply).credentials().values().stream()
                    .filter(
                        c ->
                            c.id().equals(id)
                                || (credential.requestKey() != null
                                    && credential.requestKey().equals(c.requestKey())))
                    .findFirst()
                    .map(Credential::withoutSecret)
                    .orElseThrow(() -> VaultProblem.credentialNotFound(id).refused()));
  }

  public CompletionStage<Credential> credential(
      String tenant, VaultCaller caller, String vaultId, String credentialId) {
    return vault(tenant, caller, vaultId).thenApply(v -> credentialOf(v, credentialId));
  }

  /** The vault's credentials, oldest first, secrets left out. */
  public CompletionStage<List<Credential>> credentials(
      String tenant, VaultCaller caller, String vaultId) {
    return vault(tenant, caller, vaultId).thenApply(v -> List.copyOf(v.credentials().values()));
  }

  /**
   * Replaces the credential's metadata when given, and rotates its secret when {@code auth} is
   * given (same type; sealed under the current key).
   */
  public CompletionStage<Credential> updateCredential(
      String tenant,
      VaultCaller caller,
      String vaultId,
      String credentialId,
      Optional<Map<String, String>> metadata,
      Optional<CredentialInput.Auth> auth) {
    Optional<VaultProblem> invalid =
        metadata
            .flatMap(CredentialInput::metadata)
            .or(() -> auth.flatMap(a -> CredentialInput.forRotate(a, settings.maxSecretBytes())))
            .or(() -> auth.isPresent() ? noKey() : Optional.empty());
    if (invalid.isPresent()) {
      return refused(invalid.get());
    }
    Credential.Auth rotated =
        auth.map(
                a ->
                    new Credential.Auth(
                        a.type(),
                        null,
                        a.expiresAt(),
                        cipher.seal(
                            new VaultCipher.Where(tenant, vaultId, credentialId),
                            a.secret().strip())))
            .orElse(null);
    return ask(
            tenant,
            r ->
                new VaultCommand.UpdateCredential(
                    caller,
                    vaultId,
                    credentialId,
                    metadata.isPresent(),
                    metadata.orElse(null),
                    rotated,
                    r))
        .thenApply(reply -> credentialOf(reply, credentialId));
  }

  public CompletionStage<Void> deleteCredential(
      String tenant, VaultCaller caller, String vaultId, String credentialId) {
    return ask(tenant, r -> new VaultCommand.DeleteCredential(caller, vaultId, credentialId, r))
        .thenApply(r -> null);
  }

  /**
   * Re-seals under the current key every credential of the tenant an old key sealed (an operator's
   * request, after a key rotation); replies how many were re-sealed. Fails when a secret does not
   * open on this node (its key was dropped too early).
   */
  public CompletionStage<Integer> reseal(String tenant, VaultCaller caller) {
    return ask(tenant, r -> new VaultCommand.ReadSealed(caller, r))
        .thenCompose(
            reply -> {
              List<CompletionStage<VaultReply>> writes = new ArrayList<>();
              for (Vault v : reply.vaults()) {
                for (Credential c : v.credentials().values()) {
                  Sealed was = c.auth().secret();
                  if (was == null) {
                    continue;
                  }
                  if (!cipher.canSeal()) {
                    // A node without a key re-seals nothing; with no credential it has nothing to.
                    throw noKey().orElseThrow().refused();
                  }
                  if (!settings.keys().isStale(was)) {
                    continue;
                  }
                  VaultCipher.Where where = new VaultCipher.Where(tenant, v.id(), c.id());
                  Sealed now = cipher.resealed(where, was);
                  writes.add(
                      ask(
                          tenant,
                          r -> new VaultCommand.Reseal(caller, v.id(), c.id(), was, now, r)));
                }
              }
              CompletableFuture<?>[] all =
                  writes.stream()
                      .map(CompletionStage::toCompletableFuture)
                      .toArray(CompletableFuture[]::new);
              return CompletableFuture.allOf(all).thenApply(done -> writes.size());
            });
  }

  /**
   * Succeeds when {@code user} of {@code tenant} may attach every one of {@code vaultIds} to a
   * session; fails with {@link VaultRefused} (404 naming the first that is unknown, another
   * tenant's or another user's) otherwise. What a session's creation checks.
   */
  public CompletionStage<Void> checkAttachable(String tenant, String user, List<String> vaultIds) {
    if (vaultIds.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (vaultIds.size() > settings.maxVaultsPerSession()) {
      return refused(
          VaultProblem.invalid(
              "vault_ids",
              "a session may name at most " + settings.maxVaultsPerSession() + " vaults"));
    }
    return readForCall(tenant, user, vaultIds)
        .thenApply(
            found -> {
              for (String id : vaultIds) {
                if (found.stream().noneMatch(v -> v.id().equals(id))) {
                  throw VaultProblem.vaultNotFound(id).refused();
                }
              }
              return null;
            });
  }

  /** Of {@code vaultIds}, those a session of {@code user} may use, with their sealed secrets. */
  CompletionStage<List<Vault>> readForCall(String tenant, String user, List<String> vaultIds) {
    return ask(tenant, r -> new VaultCommand.ReadForCall(new VaultCaller(user, false), vaultIds, r))
        .thenApply(VaultReply::vaults);
  }

  // ----

  private Optional<VaultProblem> noKey() {
    return cipher.canSeal()
        ? Optional.empty()
        : Optional.of(
            new VaultProblem(
                VaultProblem.Kind.UNAVAILABLE,
                "vault_key_missing",
                "this node has no vault key (AGENT_RUNTIME_VAULT_KEY or"
                    + " AGENT_RUNTIME_VAULT_KEY_FILE), so it keeps no new secrets; nothing was"
                    + " stored",
                null));
  }

  private CompletionStage<VaultReply> ask(
      String tenant, Function<ActorRef<VaultReply>, VaultCommand> command) {
    return Continuations.on(
            dispatcher,
            sharding()
                .entityRefFor(VaultEntity.TYPE_KEY, tenant)
                .<VaultReply>ask(command::apply, settings.askTimeout()))
        .thenApply(
            reply -> {
              if (reply.problem() != null) {
                throw reply.problem().refused();
              }
              return reply;
            });
  }

  private ClusterSharding sharding() {
    ClusterSharding started = sharding;
    if (started == null) {
      synchronized (this) {
        if (sharding == null) {
          ClusterSharding s = ClusterSharding.get(system);
          s.init(
              Entity.of(
                  VaultEntity.TYPE_KEY,
                  ctx ->
                      VaultEntity.create(ctx.getEntityId(), settings.limits(), Clock.systemUTC())));
          sharding = s;
        }
        started = sharding;
      }
    }
    return started;
  }

  private static Vault single(VaultReply reply) {
    return reply.vaults().get(0);
  }

  private static Credential credentialOf(VaultReply reply, String credentialId) {
    return credentialOf(single(reply), credentialId);
  }

  private static Credential credentialOf(Vault vault, String credentialId) {
    Credential c = vault.credentials().get(credentialId);
    if (c == null) {
      throw VaultProblem.credentialNotFound(credentialId).refused();
    }
    return c.withoutSecret();
  }

  /** Who sent which Idempotency-Key, hashed (the key is the client's, the hash is short). */
  static String requestKey(VaultCaller caller, String idempotencyKey) {
    if (idempotencyKey == null) {
      return null;
    }
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      byte[] digest =
          sha.digest(
              (caller.user() + "\u0000" + idempotencyKey)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /**
   * A new id that sorts after every id made before it (to the millisecond), so pages are stable.
   */
  static String newId(String prefix) {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    return prefix
        + String.format("%012x", System.currentTimeMillis())
        + HexFormat.of().formatHex(random);
  }

  private static <T> CompletionStage<T> refused(VaultProblem problem) {
    return CompletableFuture.failedFuture(problem.refused());
  }
}
