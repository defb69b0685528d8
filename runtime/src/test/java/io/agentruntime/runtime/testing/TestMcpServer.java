package io.agentruntime.runtime.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An MCP server for tests: the official SDK's Streamable HTTP servlet transport in an embedded
 * Tomcat on 127.0.0.1 (a free port, kept across {@link #restart()}), endpoint {@code /mcp}. Tools:
 *
 * <ul>
 *   <li>{@code search} {query} answers structured content {"query", "results": [{"title", "url"}]};
 *   <li>{@code echo} {text} answers the text;
 *   <li>{@code fail} answers {@code isError} with "the tool failed on purpose";
 *   <li>{@code sleep} {millis} answers "slept" after that long (released early by {@link #stop()});
 *   <li>{@code picture} answers a text and a tiny PNG image;
 *   <li>{@code big} {chars} answers a text of that many 'x'.
 * </ul>
 *
 * It logs every HTTP request (method, MCP session, Authorization and X-Agent-Session headers) and
 * every tool call (tool, arguments, _meta, MCP session).
 */
public final class TestMcpServer implements AutoCloseable {

  /** One HTTP request the endpoint received. */
  public record Request(
      String method, String mcpSession, String authorization, String agentSession) {}

  /** One tools/call the server ran. */
  public record ToolCall(
      String tool, Map<String, Object> arguments, Map<String, Object> meta, String mcpSession) {}

  // Kept strongly reachable: java.util.logging forgets the level of a collected logger.
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");
  // Its leak checks are about web applications redeployed in a long-lived Tomcat: noise here.
  private static final Logger TOMCAT_LOADER_LOG = Logger.getLogger("org.apache.catalina.loader");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
    TOMCAT_LOADER_LOG.setLevel(Level.SEVERE);
  }

  private static final McpJsonMapper JSON = new JacksonMcpJsonMapper(new ObjectMapper());

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<ToolCall> toolCalls = new CopyOnWriteArrayList<>();
  private final Path baseDir;
  private volatile CountDownLatch stopping = new CountDownLatch(1);
  private int port;
  private Tomcat tomcat;
  private McpSyncServer mcp;

  private TestMcpServer(int port) {
    this.port = port;
    try {
      this.baseDir = Files.createTempDirectory("test-mcp-server");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts on a free port. */
  public static TestMcpServer start() {
    TestMcpServer server = new TestMcpServer(0);
    server.startServing();
    return server;
  }

  /** {@code http://127.0.0.1:<port>/mcp}. */
  public String url() {
    return "http://127.0.0.1:" + port + "/mcp";
  }

  public int port() {
    return port;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String method) {
    return requests.stream().filter(r -> r.method().equals(method)).toList();
  }

  public List<ToolCall> toolCalls() {
    return List.copyOf(toolCalls);
  }

  public List<ToolCall> toolCalls(String tool) {
    return toolCalls.stream().filter(c -> c.tool().equals(tool)).toList();
  }

  /** Stops serving; every session is forgotten, as in a crash. */
  public synchronized void stop() {
    if (tomcat == null) {
      return;
    }
    stopping.countDown();
    mcp.close();
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    }
    tomcat = null;
  }

  /** Stops, then serves again on the same port with no memory of earlier sessions. */
  public synchronized void restart() {
    stop();
    startServing();
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp directory left behind is harmless.
    }
  }

  private synchronized void startServing() {
    stopping = new CountDownLatch(1);
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(JSON)
            .mcpEndpoint("/mcp")
            .build();
    mcp =
        McpServer.sync(transport)
            .serverInfo("test-mcp-server", "1")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .tools(tools())
            .build();
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(port);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    Wrapper wrapper = Tomcat.addServlet(context, "mcp", new Recording(transport));
    wrapper.setAsyncSupported(true);
    context.addServletMappingDecoded("/mcp", "mcp");
    try {
      tomcat.start();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    }
    port = connector.getLocalPort();
  }

  private List<McpServerFeatures.SyncToolSpecification> tools() {
    return List.of(
        tool(
            "search",
            "Searches the test index.",
            "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}},\"required\":[\"query\"]}",
            args -> {
              String query = String.valueOf(args.get("query"));
              Map<String, Object> hit =
                  Map.of("title", "About " + query, "url", "https://example.org/" + query);
              return McpSchema.CallToolResult.builder()
                  .structuredContent(Map.of("query", query, "results", List.of(hit)))
                  .addTextContent("1 result for " + query)
                  .build();
            }),
        tool(
            "echo",
            "Answers its text.",
            "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}",
            args -> text(String.valueOf(args.get("text")))),
        tool(
            "fail",
            "Always fails.",
            "{\"type\":\"object\"}",
            args ->
                McpSchema.CallToolResult.builder()
                    .addTextContent("the tool failed on purpose")
                    .isError(true)
                    .build()),
        tool(
            "sleep",
            "Answers after a while.",
            "{\"type\":\"object\",\"properties\":{\"millis\":{\"type\":\"integer\"}}}",
            args -> {
              long millis = ((Number) args.getOrDefault("millis", 1000)).longValue();
              try {
                stopping.await(millis, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return text("slept");
            }),
        tool(
            "picture",
            "Answers a text and a picture.",
            "{\"type\":\"object\"}",
            args ->
                McpSchema.CallToolResult.builder()
                    .addTextContent("a picture")
                    .addContent(new McpSchema.ImageContent(null, "iVBORw0KGgo=", "image/png"))
                    .build()),
        tool(
            "big",
            "Answers a long text.",
            "{\"type\":\"object\",\"properties\":{\"chars\":{\"type\":\"integer\"}}}",
            args -> text("x".repeat(((Number) args.getOrDefault("chars", 10)).intValue()))));
  }

  private McpServerFeatures.SyncToolSpecification tool(
      String name,
      String description,
      String schema,
      Function<Map<String, Object>, McpSchema.CallToolResult> body) {
    BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler =
        (exchange, request) -> {
          Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
          toolCalls.add(new ToolCall(name, args, request.meta(), exchange.sessionId()));
          return body.apply(args);
        };
    return McpServerFeatures.SyncToolSpecification.builder()
        .tool(
            McpSchema.Tool.builder()
                .name(name)
                .description(description)
                .inputSchema(JSON, schema)
                .build())
        .callHandler(handler)
        .build();
  }

  private static McpSchema.CallToolResult text(String text) {
    return McpSchema.CallToolResult.builder().addTextContent(text).build();
  }

  /** Logs each request, then hands it to the SDK's servlet. */
  private final class Recording extends HttpServlet {
    private final HttpServlet transport;

    Recording(HttpServlet transport) {
      this.transport = transport;
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
      super.init(config);
      transport.init(config);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws ServletException, IOException {
      requests.add(
          new Request(
              request.getMethod(),
              request.getHeader("Mcp-Session-Id"),
              request.getHeader("Authorization"),
              request.getHeader("X-Agent-Session")));
      transport.service(request, response);
    }
  }
}
