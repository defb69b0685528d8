package io.agentruntime.runtime;

/**
 * Marks everything that crosses the wire between nodes or is stored in the journal. Bound to
 * Pekko's {@code jackson-cbor} serializer in this module's reference.conf, so a class that forgets
 * it fails loudly instead of falling back to Java serialization.
 */
public interface CborSerializable {}
