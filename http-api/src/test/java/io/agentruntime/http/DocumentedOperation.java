package io.agentruntime.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One operation of the served OpenAPI document, as the proof tests drive it: its method, path
 * template, the roles it needs (its security requirements, standard OpenAPI 3.1: one requirement of
 * the list met in full) and the example of its request body.
 */
record DocumentedOperation(
    String method, String template, JsonNode operation, List<Set<String>> roleAlternatives) {

  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  /** Every operation of {@code doc}, in document order. */
  static List<DocumentedOperation> all(JsonNode doc) {
    List<DocumentedOperation> ops = new ArrayList<>();
    JsonNode defaultSecurity = doc.path("security");
    doc.get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method -> {
                          if (!method.getKey().equals("parameters")) {
                            JsonNode op = method.getValue();
                            JsonNode security =
                                op.has("security") ? op.get("security") : defaultSecurity;
                            List<Set<String>> alternatives = new ArrayList<>();
                            security.forEach(
                                requirement -> {
                                  Set<String> roles = new LinkedHashSet<>();
                                  requirement
                                      .properties()
                                      .forEach(
                                          scheme ->
                                              scheme
                                                  .getValue()
                                                  .forEach(role -> roles.add(role.asText())));
                                  alternatives.add(roles);
                                });
                            ops.add(
                                new DocumentedOperation(
                                    method.getKey().toUpperCase(),
                                    path.getKey(),
                                    op,
                                    alternatives));
                          }
                        }));
    return ops;
  }

  /** No key needed. */
  boolean isPublic() {
    return roleAlternatives.isEmpty();
  }

  /** Whether a principal with {@code roles} meets one of the requirements. */
  boolean allows(Set<String> roles) {
    return isPublic() || roleAlternatives.stream().anyMatch(roles::containsAll);
  }

  /** Acts on one session: its path names the session id. */
  boolean isOnASession() {
    return template.startsWith("/v1/sessions/{id}")
        || template.startsWith("/v1/agents/sessions/{session_id}");
  }

  /** Acts on one vault (or its credentials): its path names the vault id. */
  boolean isOnAVault() {
    return template.startsWith("/v1/vaults/{vault_id}");
  }

  /** Acts on one webhook endpoint (or its deliveries): its path names the endpoint id. */
  boolean isOnAWebhookEndpoint() {
    return template.startsWith("/v1/webhooks/{webhookId}");
  }

  /** On the cluster ({@code /v1/cluster...}): for operators of the named tenants only. */
  boolean isOnTheCluster() {
    return template.startsWith("/v1/cluster");
  }

  /**
   * Creates what its path names (it documents a 201), rather than acting on something that exists.
   * A 201 below a session (a schedule it sets) acts on the session, which must exist.
   */
  boolean creates() {
    return operation.path("responses").has("201") && !template.startsWith("/v1/sessions/{id}/");
  }

  List<String> pathParameters() {
    List<String> names = new ArrayList<>();
    Matcher m = PARAM.matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The path with each parameter replaced by {@code value(name)}. */
  String path(java.util.function.Function<String, String> value) {
    Matcher m = PARAM.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(value.apply(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  boolean hasBody() {
    return operation.has("requestBody");
  }

  /** The example request body the document gives, if it has a request body. */
  Optional<JsonNode> exampleBody() {
    JsonNode example =
        operation.path("requestBody").path("content").path("application/json").path("example");
    return example.isMissingNode() ? Optional.empty() : Optional.of(example);
  }

  @Override
  public String toString() {
    return method + " " + template;
  }
}
