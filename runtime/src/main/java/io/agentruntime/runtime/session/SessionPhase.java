package io.agentruntime.runtime.session;

/**
 * Where a session stands in its life, derived from its state: what the entity routes its commands
 * by. Suspension is a flag of an open session, not a phase: a suspended session still takes most
 * commands.
 */
public enum SessionPhase {
  /** No session under this id yet: only a create is taken. */
  NEW,
  /** Created and not closed. */
  OPEN,
  /** Closed: it is read, its turns are decided or cancelled, but it takes no new work. */
  CLOSED,
  /** Erased: the id is refused for ever. */
  ERASED
}
