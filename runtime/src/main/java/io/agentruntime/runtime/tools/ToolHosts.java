package io.agentruntime.runtime.tools;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The hosts tool calls may reach. Checked when a tool is connected and again on every call, so a
 * connection journaled under a wider list cannot reach a host the server no longer allows.
 *
 * <p>Entries: an exact host name or IP literal ({@code tools.internal}, {@code 10.0.0.7}, {@code
 * ::1}); {@code *.example.com} for any host under that domain (not {@code example.com} itself);
 * {@code loopback} for {@code localhost}, {@code ::1} and every {@code 127.x.x.x}; {@code *} for
 * any host (for trusted networks only). Names are compared, never resolved: a name that happens to
 * resolve to an allowed address is not allowed by that.
 */
public final class ToolHosts {

  /** The dev default: this machine only. */
  public static final String LOOPBACK = "loopback";

  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}");

  private static final Pattern IPV6_LITERAL = Pattern.compile("(?=.*:)[0-9a-f:][0-9a-f:.%a-z]*");
  private static final String IPV6_LOOPBACK = "0:0:0:0:0:0:0:1";

  /** Verdicts by URL seen so far: they never change, and checking parses the URL each time. */
  private static final int KNOWN_URLS = 4096;

  private final List<String> entries;
  private final Map<String, Optional<String>> verdicts = new ConcurrentHashMap<>();

  private ToolHosts(List<String> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Parses a comma-separated list (as in {@code AGENT_RUNTIME_TOOL_HOSTS}); blanks are ignored. */
  public static ToolHosts parse(String commaSeparated) {
    String text = commaSeparated == null ? "" : commaSeparated;
    return of(Arrays.asList(text.split(",")));
  }

  public static ToolHosts of(List<String> entries) {
    return new ToolHosts(
        entries.stream().map(ToolHosts::normalize).filter(e -> !e.isEmpty()).distinct().toList());
  }

  public static ToolHosts loopbackOnly() {
    return of(List.of(LOOPBACK));
  }

  public List<String> entries() {
    return entries;
  }

  /** Whether an http(s) URI points at an allowed host. */
  public boolean allows(URI uri) {
    return refusal(uri).isEmpty();
  }

  /** Why a call to {@code url} is refused, or empty when it is allowed. */
  public Optional<String> refusal(String url) {
    if (url == null) {
      return Optional.of("the tool has no URL");
    }
    Optional<String> known = verdicts.get(url);
    if (known != null) {
      return known;
    }
    Optional<String> verdict;
    try {
      verdict = refusal(new URI(url));
    } catch (Exception e) {
      verdict = Optional.of("the tool URL is not a valid URI: " + url);
    }
    if (verdicts.size() >= KNOWN_URLS) {
      verdicts.clear(); // bounded: a node that meets many URLs checks them again
    }
    verdicts.put(url, verdict);
    return verdict;
  }

  /** Why a call to {@code uri} is refused, or empty when it is allowed. */
  public Optional<String> refusal(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of("tool URLs must be http or https, not '" + scheme + "'");
    }
    if (uri.getHost() == null) {
      return Optional.of("the tool URL names no valid host: " + uri);
    }
    String host = normalize(uri.getHost());
    if (entries.stream().anyMatch(entry -> matches(entry, host))) {
      return Optional.empty();
    }
    return Optional.of(
        "host '"
            + host
            + "' is not in the server's allow-list of tool hosts "
            + entries
            + " (setting AGENT_RUNTIME_TOOL_HOSTS)");
  }

  private static boolean matches(String entry, String host) {
    if (entry.equals("*")) {
      return true;
    }
    if (entry.equals(LOOPBACK)) {
      return host.equals("localhost")
          || host.equals(IPV6_LOOPBACK)
          || IPV4_LOOPBACK.matcher(host).matches();
    }
    if (entry.startsWith("*.")) {
      return host.endsWith(entry.substring(1));
    }
    return entry.equals(host);
  }

  /**
   * Lower case, no trailing dot, IPv6 literals in one canonical form (an IPv4-mapped one as its
   * IPv4 address): the ways one host can be written compare equal.
   */
  private static String normalize(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (IPV6_LITERAL.matcher(h).matches()) {
      return canonicalIpv6(h);
    }
    if (h.endsWith(".") && h.length() > 1) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  private static String canonicalIpv6(String literal) {
    try {
      // A literal with ':' is parsed, never looked up in DNS.
      return InetAddress.getByName(literal).getHostAddress();
    } catch (UnknownHostException | SecurityException e) {
      return literal;
    }
  }

  @Override
  public String toString() {
    return String.join(",", entries);
  }
}
