package io.agentruntime.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Keys of two tenants, written as an operator would: SHA-256 hashes only. */
final class TestKeysFile {

  static final String ADA = "it-key-ada";
  static final String GUS = "it-key-gus";

  private TestKeysFile() {}

  static Path write(Path dir) throws IOException {
    Path file = dir.resolve("keys.json");
    Files.writeString(
        file,
        "[{\"sha256\": \""
            + sha256(ADA)
            + "\", \"tenant\": \"acme\", \"user\": \"ada\", \"roles\": [\"user\", \"approver\"]},\n"
            + " {\"sha256\": \""
            + sha256(GUS)
            + "\", \"tenant\": \"globex\", \"user\": \"gus\", \"roles\": [\"user\"]}]\n");
    return file;
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
