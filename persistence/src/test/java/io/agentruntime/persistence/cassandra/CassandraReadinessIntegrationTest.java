package io.agentruntime.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.agentruntime.persistence.testing.TestCassandra;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CassandraReadinessIntegrationTest {

  private final TestCassandra cassandra = TestCassandra.get();

  @Test
  void readyWhenCassandraAnswers() {
    assertTrue(CassandraReadiness.of(cassandra.session()).check().toCompletableFuture().join());
  }

  @Test
  void notReadyWhileTheSessionIsStillConnecting() {
    CassandraReadiness readiness =
        new CassandraReadiness(new CompletableFuture<>(), Duration.ofSeconds(1));
    assertFalse(readiness.check().toCompletableFuture().join());
  }

  @Test
  void notReadyWhenTheSessionFailedOrIsClosed() {
    assertFalse(
        new CassandraReadiness(
                CompletableFuture.failedFuture(new IllegalStateException("down")),
                Duration.ofSeconds(1))
            .check()
            .toCompletableFuture()
            .join());

    CqlSession closed = TestCassandra.openSession(cassandra.host(), cassandra.nativePort());
    closed.close();
    assertFalse(CassandraReadiness.of(closed).check().toCompletableFuture().join());
  }
}
