package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.agentruntime.runtime.session.AgentDefinition;
import io.agentruntime.runtime.session.Approval;
import io.agentruntime.runtime.session.Caller;
import io.agentruntime.runtime.session.Limits;
import io.agentruntime.runtime.session.OnBusy;
import io.agentruntime.runtime.session.Owner;
import io.agentruntime.runtime.session.Permission;
import io.agentruntime.runtime.session.PermissionPolicy;
import io.agentruntime.runtime.session.SessionCommand;
import io.agentruntime.runtime.session.SessionReply;
import io.agentruntime.runtime.session.SessionSpec;
import io.agentruntime.runtime.session.SessionStatus;
import io.agentruntime.runtime.session.SessionSummary;
import io.agentruntime.runtime.session.SessionView;
import io.agentruntime.runtime.session.TranscriptEntry;
import io.agentruntime.runtime.session.Turn;
import io.agentruntime.runtime.session.TurnError;
import io.agentruntime.runtime.session.TurnStatus;
import io.agentruntime.runtime.session.Usage;
import io.agentruntime.runtime.session.ViewPart;
import io.agentruntime.runtime.tools.ToolConnection;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The largest message of every kind a session sends or receives across the cluster, as the limits
 * of the node's configuration allow it, serialized with the cluster's serializer, fits Artery's
 * frame with room for the envelope (decision 0033). Pekko serializes nothing within a node, so no
 * one-node test would see a message that does not fit: this one fails as soon as a limit grows past
 * the frame. Each worst case is made of what takes most bytes in CBOR: floats (4 JSON bytes, 9 CBOR
 * bytes each) where JSON comes in, three-byte characters where text does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplyFrameTest {

  /** Artery's envelope: recipient and sender paths, the manifest, the serializer id. */
  private static final int ENVELOPE = 4 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00.123456789Z");
  private static final String NODE = "255.255.255.255:65535";

  private final Config node = ConfigFactory.load("prod");
  private final long frame =
      node.getBytes("pekko.remote.artery.advanced.maximum-frame-size").longValue();
  private final int body = bytes("agent-runtime.http.max-body-size");
  private final int modelReply = bytes("agent-runtime.models.provider-defaults.max-reply-size");
  private final int toolResult = bytes("agent-runtime.turns.max-tool-result-size");
  private final int page = bytes("agent-runtime.session.reply-page-size");
  private final int valueBytes = bytes("agent-runtime.session.max-memory-value-size");
  private final int instructionsChars = node.getInt("agent-runtime.session.max-instructions-chars");
  private final int messageChars = node.getInt("agent-runtime.session.max-message-chars");
  private final int metadataEntries = node.getInt("agent-runtime.session.max-metadata-entries");

  private ActorSystem<Void> system;
  private Serialization serialization;
  private ActorRef<SessionReply> replyTo;

  @BeforeAll
  void start() {
    // The node's serialization settings on a system that binds no port.
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "ReplyFrameTest",
            ConfigFactory.parseString(
                    "pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
                .withFallback(node));
    serialization = SerializationExtension.get(system);
    replyTo = system.systemActorOf(Behaviors.<SessionReply>empty(), "replies", Props.empty());
  }

  @AfterAll
  void stop() {
    system.terminate();
  }

  @Test
  void theFrameLeavesRoomForAPageAndItsLargestItem() {
    assertTrue(
        page + ENVELOPE <= frame,
        "reply-page-size " + page + " must stay under the frame " + frame);
  }

  @Test
  void theLargestAnswersFit() {
    SessionSummary summary = summary();
    fits("Created", new SessionReply.Created(summary));
    fits("Current", new SessionReply.Current(summary));
    fits("MemoryValue", new SessionReply.MemoryValue("k".repeat(128), floats(valueBytes)));
    Turn turn = endedTurn(text(modelReply / 3));
    fits("TurnFound", new SessionReply.TurnFound(turn));
    fits("TurnAccepted", new SessionReply.TurnAccepted(turn, true));
    fits("TurnList of one", new SessionReply.TurnList(List.of(turn), "turn_" + "0".repeat(32)));
    Approval approval = approval("c", floats(modelReply));
    fits("ApprovalDecided", new SessionReply.ApprovalDecided(approval));
    fits("ApprovalList of one call", new SessionReply.ApprovalList(List.of(approval)));
    fits("ApprovalList of one step", new SessionReply.ApprovalList(approvalsOfOneReply()));
    fits(
        "Rejected",
        new SessionReply.Rejected(
            new io.agentruntime.runtime.session.Problem(
                io.agentruntime.runtime.session.Problem.Kind.INVALID, "c", "m".repeat(4096), "f")));
  }

  @Test
  void theLargestTranscriptEntriesFitAPageOfTheirOwn() {
    List<TranscriptEntry> largest =
        List.of(
            new TranscriptEntry(1, turnId(), "user", text(messageChars), List.of(), null, null),
            new TranscriptEntry(
                2,
                turnId(),
                "assistant",
                null,
                List.of(new TranscriptEntry.ToolCall("call_1", "t", floats(modelReply))),
                null,
                null),
            new TranscriptEntry(
                3, turnId(), "assistant", text(modelReply / 3), List.of(), null, null),
            // A result supplied by an approver is bounded by the request body only.
            new TranscriptEntry(
                4, turnId(), "tool", "x".repeat(Math.max(body, toolResult)), List.of(), "c", "ok"));
    for (TranscriptEntry entry : largest) {
      fits(
          "TranscriptFound of a " + entry.role(),
          new SessionReply.TranscriptFound(List.of(entry), 9L));
    }
    // A page is cut at reply-page-size bytes, as each entry measures alone.
    List<TranscriptEntry> full = new ArrayList<>();
    long measured = 0;
    for (long seq = 1; ; seq++) {
      TranscriptEntry next =
          new TranscriptEntry(
              seq, turnId(), "user", text(messageChars / 10), List.of(), null, null);
      int size = size(new SessionReply.TranscriptFound(List.of(next)));
      if (measured + size > page) {
        break;
      }
      measured += size;
      full.add(next);
    }
    fits("a full TranscriptFound page", new SessionReply.TranscriptFound(full, 99L));
  }

  @Test
  void theViewStreamsInPartsThatEachFit() {
    SessionView view = largestView();
    List<ViewPart> parts = new ArrayList<>();
    ViewPart.of(view, this::size, page).forEach(parts::add);
    assertTrue(parts.size() > 3, "the memory comes in several chunks: " + parts.size());
    for (ViewPart part : parts) {
      fits(part.getClass().getSimpleName(), part);
    }
  }

  @Test
  void theLargestCommandsFit() {
    Caller caller = new Caller("u".repeat(64), true);
    JsonNode wholeBody = floats(body);
    fits(
        "CreateSession",
        new SessionCommand.CreateSession(
            caller,
            new SessionSpec(
                new AgentDefinition(text(body / 3), "default", new Limits(8, 600, 0, null)),
                List.of(),
                PermissionPolicy.empty(),
                Map.of(),
                Map.of()),
            SessionCommand.CreateMode.CREATE_OR_MATCH,
            replyTo));
    fits("WriteMemory", new SessionCommand.WriteMemory(caller, "k", wholeBody, replyTo));
    fits(
        "ConnectTool",
        new SessionCommand.ConnectTool(
            caller,
            new ToolConnection.Http("t", "http://h/", "d", wholeBody, false, null),
            replyTo));
    fits(
        "DecideApproval",
        new SessionCommand.DecideApproval(caller, "appr_1", "result", "c", wholeBody, replyTo));
    fits(
        "SendUserMessage",
        new SessionCommand.SendUserMessage(
            caller, text(messageChars), OnBusy.QUEUE, "i".repeat(255), turnId(), 1L, replyTo));
    fits(
        "Expiring",
        new SessionCommand.Expiring(
            new SessionCommand.WriteMemory(caller, "k", wholeBody, replyTo), 1L));
  }

  /** The largest view the limits allow, but for the count of memory entries, which pages bound. */
  private SessionView largestView() {
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < metadataEntries; i++) {
      metadata.put(String.format("%0128d", i), text(4096));
    }
    Map<String, Permission> policy = new TreeMap<>();
    for (int i = 0; policy.size() * 141L < body; i++) {
      policy.put(String.format("%0130d", i), Permission.ALLOW);
    }
    Map<String, JsonNode> memory = new TreeMap<>();
    for (int i = 0; i < 3 * page / valueBytes + 2; i++) {
      memory.put(String.format("%0128d", i), floats(valueBytes));
    }
    List<ToolConnection> tools =
        List.of(
            new ToolConnection.Http("h", "http://h/", text(1000), floats(body), false, "s"),
            new ToolConnection.Mcp("m", "http://h/mcp", List.of("a"), "s"));
    return new SessionView(
        "s".repeat(64),
        new Owner("t".repeat(64), "u".repeat(64)),
        SessionStatus.AWAITING_APPROVAL,
        new AgentDefinition(text(instructionsChars), "m".repeat(64), new Limits(8, 600, 0, null)),
        AT,
        AT,
        Long.MAX_VALUE,
        new Turn(turnId(), TurnStatus.AWAITING_APPROVAL, 8, null, null, AT, AT, AT, AT),
        100,
        memory,
        tools,
        new PermissionPolicy(policy),
        metadata,
        Integer.MAX_VALUE,
        new Usage(Long.MAX_VALUE, Long.MAX_VALUE, BigDecimal.ZERO));
  }

  private SessionSummary summary() {
    return SessionSummary.of(
        new SessionView(
            "s".repeat(64),
            new Owner("t".repeat(64), "u".repeat(64)),
            SessionStatus.AWAITING_APPROVAL,
            null,
            AT,
            AT,
            Long.MAX_VALUE,
            new Turn(turnId(), TurnStatus.AWAITING_APPROVAL, 8, null, null, AT, AT, AT, AT),
            Long.MAX_VALUE,
            Map.of(),
            List.of(),
            PermissionPolicy.empty(),
            Map.of(),
            Integer.MAX_VALUE,
            new Usage(Long.MAX_VALUE, Long.MAX_VALUE, BigDecimal.ZERO)));
  }

  private Turn endedTurn(String output) {
    return new Turn(
        turnId(),
        TurnStatus.FAILED,
        1000,
        output,
        new TurnError("tool_failed", text(4096)),
        AT,
        AT,
        null,
        null);
  }

  private Approval approval(String toolCallId, JsonNode arguments) {
    return new Approval(
        "appr_" + "0".repeat(32),
        turnId(),
        toolCallId,
        "t",
        arguments,
        Approval.IN_DOUBT,
        AT,
        AT,
        Approval.PENDING,
        null,
        null,
        null,
        null);
  }

  /**
   * The approvals of one step: as many calls as one model reply can hold, each as short as a call
   * can be ({"id":"c1","type":"function","function":{"name":"t","arguments":"{}"}}, about 70
   * bytes).
   */
  private List<Approval> approvalsOfOneReply() {
    List<Approval> approvals = new ArrayList<>();
    for (int i = 0; i < modelReply / 70; i++) {
      approvals.add(approval("c" + i, JsonNodeFactory.instance.objectNode()));
    }
    return approvals;
  }

  private void fits(String what, Object message) {
    int size = size(message);
    assertTrue(
        size + ENVELOPE <= frame,
        () ->
            what + " takes " + size + " bytes, over the frame of " + frame + " less the envelope");
  }

  private int size(Object message) {
    Object sent =
        message instanceof SessionReply reply && !(message instanceof SessionReply.Hosted)
            ? new SessionReply.Hosted(NODE, reply)
            : message;
    return serialization.serialize(sent).get().length;
  }

  /** A JSON array of floats of {@code bytes} JSON bytes: the most CBOR for its size. */
  private static JsonNode floats(int bytes) {
    StringBuilder json = new StringBuilder(bytes).append('[');
    while (json.length() + 4 < bytes) {
      json.append(json.length() == 1 ? "" : ",").append("1e9");
    }
    try {
      return JSON.readTree(json.append(']').toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code chars} characters of three UTF-8 bytes each. */
  private static String text(int chars) {
    return "€".repeat(chars);
  }

  private static String turnId() {
    return "turn_" + "0".repeat(32);
  }

  private int bytes(String path) {
    return (int) node.getBytes(path).longValue();
  }
}
