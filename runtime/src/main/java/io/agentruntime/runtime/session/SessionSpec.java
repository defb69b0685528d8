package io.agentruntime.runtime.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a client asks for when it creates a session. Two specs are equal when their JSON is. */
public record SessionSpec(
    AgentDefinition agent,
    List<ToolConnection> tools,
    PermissionPolicy permissions,
    Map<String, JsonNode> memory,
    Map<String, String> metadata) {

  public SessionSpec {
    tools = List.copyOf(tools);
    memory = Collections.unmodifiableMap(new TreeMap<>(memory));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
