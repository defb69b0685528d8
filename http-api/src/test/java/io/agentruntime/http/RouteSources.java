package io.agentruntime.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The path literals the module's route code matches ({@code path("x")}, {@code pathPrefix("x")},
 * {@code .slash("x")}, {@code segment("x")}; not {@code node.path("x")} of a JSON tree), read from
 * its sources: the words a probe of the server tries as path segments. Tests run with the module as
 * the working directory.
 */
final class RouteSources {

  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern LITERAL =
      Pattern.compile(
          "(?:(?<![.\\w])(?:path|pathPrefix|pathSuffix|pathPrefixTest|segment)|\\.slash|PathMatchers\\.segment)"
              + "\\(\\s*\"([^\"]+)\"");

  private RouteSources() {}

  static Set<String> pathLiterals() {
    Set<String> literals = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = LITERAL.matcher(Files.readString(file));
        while (m.find()) {
          for (String segment : m.group(1).split("/")) {
            if (!segment.isEmpty()) {
              literals.add(segment);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return literals;
  }
}
