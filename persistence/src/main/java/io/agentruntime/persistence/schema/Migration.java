package io.agentruntime.persistence.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One versioned CQL script, {@code V<version>__<name>.cql}. Its text may use {@code ${keyspace}}
 * and {@code ${replication}}; statements end with ';' and comments are whole lines starting with
 * "--" (so a ';' must not appear inside a string literal or a comment).
 */
public record Migration(int version, String name, String cql) {

  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__(\\w+)\\.cql");

  public static Migration of(String fileName, String cql) {
    Matcher m = FILE_NAME.matcher(fileName);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "migration file name must look like V001__name.cql: " + fileName);
    }
    return new Migration(Integer.parseInt(m.group(1)), m.group(2), cql);
  }

  /** The statements to run, placeholders replaced. */
  public List<String> statements(SchemaSettings settings) {
    return split(
        cql.replace("${keyspace}", settings.keyspace())
            .replace("${replication}", settings.replication()));
  }

  /** Identifies the script's text, so that an applied script edited afterwards is noticed. */
  public String checksum() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(cql.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> split(String script) {
    String withoutComments =
        script
            .lines()
            .filter(line -> !line.strip().startsWith("--"))
            .reduce("", (a, b) -> a + b + "\n");
    return Arrays.stream(withoutComments.split(";"))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
