package io.agentruntime.runtime.session;

/**
 * Who sends a command, within the session's tenant (the tenant is part of the entity id, so a
 * caller of another tenant never reaches the entity). Operators see every session of the tenant;
 * any other user sees only the sessions it owns. Only approvers decide approvals.
 */
public record Caller(String user, boolean operator, boolean approver) {

  public Caller(String user, boolean operator) {
    this(user, operator, false);
  }

  boolean maySee(Owner owner) {
    return operator || owner.user().equals(user);
  }
}
