package io.agentruntime.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/** API keys of the tests, written to a keys file the way an operator would: hashes only. */
final class TestKeys {

  /** Tenant acme: ada (user, approver), bob (user), olga (operator), ivan (approver only). */
  static final String ADA = "key-ada";

  static final String BOB = "key-bob";
  static final String OLGA = "key-olga";
  static final String IVAN = "key-ivan";

  /** Tenant globex: gus (user), otto (operator), gina (user, approver, operator). */
  static final String GUS = "key-gus";

  static final String OTTO = "key-otto";
  static final String GINA = "key-gina";

  /** Tenant initech: ina (every role), whose sessions only the hostile input tests use. */
  static final String INA = "key-ina";

  record Entry(String key, String tenant, String user, List<String> roles) {}

  static final List<Entry> ALL =
      List.of(
          new Entry(ADA, "acme", "ada", List.of("user", "approver")),
          new Entry(BOB, "acme", "bob", List.of("user")),
          new Entry(OLGA, "acme", "olga", List.of("operator")),
          new Entry(IVAN, "acme", "ivan", List.of("approver")),
          new Entry(GUS, "globex", "gus", List.of("user")),
          new Entry(OTTO, "globex", "otto", List.of("operator")),
          new Entry(GINA, "globex", "gina", List.of("user", "approver", "operator")),
          new Entry(INA, "initech", "ina", List.of("user", "approver", "operator")));

  private TestKeys() {}

  static void write(Path file, List<Entry> entries) throws IOException {
    String json =
        entries.stream()
            .map(
                e ->
                    "{\"sha256\": \""
                        + sha256Hex(e.key())
                        + "\", \"tenant\": \""
                        + e.tenant()
                        + "\", \"user\": \""
                        + e.user()
                        + "\", \"roles\": ["
                        + e.roles().stream()
                            .map(r -> "\"" + r + "\"")
                            .collect(Collectors.joining(", "))
                        + "]}")
            .collect(Collectors.joining(",\n ", "[", "]\n"));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, json);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static String sha256Hex(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
