package io.agentruntime.runtime.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scripted answer of {@link FakeOpenAiServer}: text (streamed a word at a time unless its
 * pieces are given), tool calls (each split over several chunks), an HTTP error status, a delay
 * before answering, a pause between chunks, a hang, or a dropped connection. Immutable: every
 * {@code with}/modifier returns a new reply.
 */
public final class FakeReply {

  /** A tool call the fake model makes; {@code arguments} is sent as is, valid JSON or not. */
  public record Call(String id, String name, String arguments) {}

  enum Kind {
    ANSWER,
    ERROR,
    HANG,
    DISCONNECT,
    RAW_STREAM
  }

  final Kind kind;
  final int status;
  final String errorBody;
  final List<String> pieces;
  final List<Call> calls;
  final Duration delay;
  final Duration chunkDelay;
  final Map<String, String> headers;
  final boolean nonStreaming;
  final long[] usage;

  private FakeReply(
      Kind kind,
      int status,
      String errorBody,
      List<String> pieces,
      List<Call> calls,
      Duration delay,
      Duration chunkDelay,
      Map<String, String> headers,
      boolean nonStreaming,
      long[] usage) {
    this.kind = kind;
    this.status = status;
    this.errorBody = errorBody;
    this.pieces = List.copyOf(pieces);
    this.calls = List.copyOf(calls);
    this.delay = delay;
    this.chunkDelay = chunkDelay;
    this.headers = Map.copyOf(headers);
    this.nonStreaming = nonStreaming;
    this.usage = usage;
  }

  private static FakeReply of(Kind kind, int status, String errorBody) {
    return new FakeReply(
        kind,
        status,
        errorBody,
        List.of(),
        List.of(),
        Duration.ZERO,
        Duration.ZERO,
        Map.of(),
        false,
        null);
  }

  /** Text, streamed one word (with its following space) per chunk. */
  public static FakeReply text(String text) {
    return textPieces(text.split("(?<=\\s)(?=\\S)"));
  }

  /** Text streamed in exactly these content deltas. */
  public static FakeReply textPieces(String... pieces) {
    return of(Kind.ANSWER, 200, null).withPieces(List.of(pieces));
  }

  public static FakeReply toolCalls(Call... calls) {
    return of(Kind.ANSWER, 200, null).withToolCalls(calls);
  }

  public static Call call(String id, String name, String arguments) {
    return new Call(id, name, arguments);
  }

  /** An error answer with an OpenAI-style error body. */
  public static FakeReply status(int status) {
    return status(
        status,
        "{\"error\":{\"message\":\"fake error "
            + status
            + "\",\"type\":\""
            + (status >= 500 ? "server_error" : "invalid_request_error")
            + "\",\"code\":null}}");
  }

  public static FakeReply status(int status, String body) {
    return of(Kind.ERROR, status, body);
  }

  /**
   * A 200 event stream whose body is exactly {@code body}, then the end of the connection: garbage
   * in place of chunks, or a stream cut off before {@code data: [DONE]}.
   */
  public static FakeReply rawStream(String body) {
    return of(Kind.RAW_STREAM, 200, body);
  }

  /** Never answers (until the server closes). */
  public static FakeReply hang() {
    return of(Kind.HANG, 0, null);
  }

  /** Closes the connection without an answer. */
  public static FakeReply disconnect() {
    return of(Kind.DISCONNECT, 0, null);
  }

  public FakeReply withToolCalls(Call... more) {
    List<Call> all = new ArrayList<>(calls);
    all.addAll(List.of(more));
    return new FakeReply(
        kind, status, errorBody, pieces, all, delay, chunkDelay, headers, nonStreaming, usage);
  }

  public FakeReply withPieces(List<String> text) {
    return new FakeReply(
        kind, status, errorBody, text, calls, delay, chunkDelay, headers, nonStreaming, usage);
  }

  /** Waits this long before the status line. */
  public FakeReply delayed(Duration wait) {
    return new FakeReply(
        kind, status, errorBody, pieces, calls, wait, chunkDelay, headers, nonStreaming, usage);
  }

  /** Waits this long before each streamed chunk after the first. */
  public FakeReply chunkDelay(Duration wait) {
    return new FakeReply(
        kind, status, errorBody, pieces, calls, delay, wait, headers, nonStreaming, usage);
  }

  public FakeReply header(String name, String value) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put(name, value);
    return new FakeReply(
        kind, status, errorBody, pieces, calls, delay, chunkDelay, all, nonStreaming, usage);
  }

  public FakeReply retryAfter(String value) {
    return header("Retry-After", value);
  }

  /** One {@code application/json} body even when the request asked to stream. */
  public FakeReply nonStreaming() {
    return new FakeReply(
        kind, status, errorBody, pieces, calls, delay, chunkDelay, headers, true, usage);
  }

  /** The usage to report (by default: words of the request's messages, words of the answer). */
  public FakeReply usage(long promptTokens, long completionTokens) {
    return new FakeReply(
        kind,
        status,
        errorBody,
        pieces,
        calls,
        delay,
        chunkDelay,
        headers,
        nonStreaming,
        new long[] {promptTokens, completionTokens});
  }

  String text() {
    return String.join("", pieces);
  }
}
