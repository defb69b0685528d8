package io.agentruntime.runtime.model;

/** A model call that failed for good; {@code code} is stable for clients (e.g. model_timeout). */
public final class ModelException extends RuntimeException {

  private final String code;

  public ModelException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ModelException(String code, String message) {
    this(code, message, null);
  }

  public String code() {
    return code;
  }
}
