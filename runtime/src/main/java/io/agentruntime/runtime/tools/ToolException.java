package io.agentruntime.runtime.tools;

/** A tool connection that could not be set up; {@code code} is stable for clients. */
public final class ToolException extends RuntimeException {

  private final String code;

  public ToolException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
