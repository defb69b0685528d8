package io.agentruntime.runtime.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.tools.ToolConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Inputs the session tests share: callers, a valid spec, tools, JSON values, quiet config. */
final class Fixtures {

  static final String TENANT = "acme";
  static final Instant T0 = Instant.parse("2025-01-02T03:04:05.123456Z");

  static final Caller ADA = new Caller("ada", false);
  static final Caller BOB = new Caller("bob", false);
  static final Caller OPERATOR = new Caller("olga", true);

  /** Pekko logs through SLF4J (logback-test.xml), warnings and errors only. */
  static final Config QUIET =
      ConfigFactory.parseString(
          """
          pekko.loglevel = WARNING
          pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
          pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
          pekko.log-dead-letters = off
          """);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Fixtures() {}

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** {@code s} with {@code events} applied in order, as the entity (or its recovery) does. */
  static SessionState fold(SessionState s, List<? extends SessionEvent> events) {
    for (SessionEvent e : events) {
      s = s.apply(e);
    }
    return s;
  }

  static ToolConnection.Http httpTool(String name) {
    return new ToolConnection.Http(
        name,
        "http://tools.internal/" + name,
        "Calls " + name,
        json("{\"type\":\"object\",\"properties\":{\"to\":{\"type\":\"string\"}}}"),
        false,
        "EMAIL_TOKEN");
  }

  static ToolConnection.Mcp mcpTool(String name) {
    return new ToolConnection.Mcp(
        name, "http://127.0.0.1:9000/mcp", List.of("search", "read_file"), null);
  }

  static AgentDefinition agent(String instructions) {
    return new AgentDefinition(instructions, "default", new Limits(8, 600, 0, null));
  }

  /** A session with two tools, a policy, two memory entries (one of mixed JSON) and metadata. */
  static SessionSpec spec() {
    return spec(agent("You are a helpful assistant."));
  }

  static SessionSpec spec(AgentDefinition agent) {
    return new SessionSpec(
        agent,
        List.of(httpTool("send_email"), mcpTool("files")),
        new PermissionPolicy(Map.of("send_email", Permission.ASK, "*", Permission.ALLOW)),
        Map.of(
            "user_name", json("\"Ada\""),
            "prefs",
                json("{\"ratio\":0.5,\"count\":3,\"big\":12345678901,\"tags\":[\"a\",null,true]}")),
        Map.of("team", "support"));
  }

  static SessionSpec specWithTools(List<ToolConnection> tools) {
    SessionSpec s = spec();
    return new SessionSpec(s.agent(), tools, s.permissions(), s.memory(), s.metadata());
  }
}
