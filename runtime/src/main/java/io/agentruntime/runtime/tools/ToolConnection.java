package io.agentruntime.runtime.tools;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentruntime.runtime.model.ToolSpec;
import java.util.List;

/**
 * A tool the session may call: one HTTP endpoint, an MCP server whose allowed tools are exposed as
 * {@code <name>__<tool>}, or a function the client runs itself (decision 0023). Credentials appear
 * only as {@code secretRef}, the name of a secret the server resolves when it calls; the secret
 * itself is never stored.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ToolConnection.Http.class, name = "http"),
  @JsonSubTypes.Type(value = ToolConnection.Mcp.class, name = "mcp"),
  @JsonSubTypes.Type(value = ToolConnection.Function.class, name = "function")
})
public sealed interface ToolConnection {

  String name();

  String url();

  /** Null when the tool needs no credential. */
  String secretRef();

  /**
   * An endpoint called with {@code POST url} and {@code {"arguments": {...}}}. No parameter schema
   * is null: a JSON {@code null} (which is what a stored null reads back as) is taken for none, so
   * that a tool is equal to itself after the journal.
   */
  record Http(
      String name,
      String url,
      String description,
      JsonNode parameters,
      boolean idempotent,
      String secretRef)
      implements ToolConnection {
    public Http {
      parameters =
          parameters == null || parameters.isNull() || parameters.isMissingNode()
              ? null
              : parameters;
    }
  }

  /**
   * An MCP server over Streamable HTTP; {@code allow} empty means every tool it offers. {@code
   * tools} are the tools discovered when it was connected, named {@code <name>__<tool>} (empty
   * until then; absent in events written before discovery existed).
   */
  record Mcp(String name, String url, List<String> allow, String secretRef, List<ToolSpec> tools)
      implements ToolConnection {
    public Mcp {
      allow = allow == null ? List.of() : List.copyOf(allow);
      tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /** A connection not yet discovered. */
    public Mcp(String name, String url, List<String> allow, String secretRef) {
      this(name, url, allow, secretRef, List.of());
    }

    public Mcp withTools(List<ToolSpec> discovered) {
      return new Mcp(name, url, allow, secretRef, discovered);
    }
  }

  /**
   * A function the client executes (decision 0023): offered to the model like any tool, but the
   * runtime calls nothing. A call of it waits, journaled, for the client to submit its result. It
   * has no URL and no secret. No parameter schema is null, as for {@link Http}.
   */
  record Function(String name, String description, JsonNode parameters) implements ToolConnection {
    public Function {
      parameters =
          parameters == null || parameters.isNull() || parameters.isMissingNode()
              ? null
              : parameters;
    }

    @Override
    public String url() {
      return null;
    }

    @Override
    public String secretRef() {
      return null;
    }
  }
}
