package io.agentruntime.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * CPU use of the whole machine, for benchmarks that share it with other builds: waits until it is
 * quiet, then tells how much of it processes other than the benchmark's own used while timing.
 */
final class MachineLoad {

  private static final double QUIET = 0.15;

  private final List<ProcessHandle> ours;
  private final long[] machineStart;
  private final long oursStart;
  private final long wallStart;

  private MachineLoad(List<ProcessHandle> ours) {
    this.ours = ours;
    this.machineStart = machineJiffies();
    this.oursStart = ourCpuNanos();
    this.wallStart = System.nanoTime();
  }

  /** Starts measuring; {@code ours} are the processes whose CPU is the benchmark's own. */
  static MachineLoad measure(List<ProcessHandle> ours) {
    return new MachineLoad(ours);
  }

  /** Percent of all cores used since the start by processes other than ours. */
  double othersPercent() {
    long[] now = machineJiffies();
    double machine = (double) (now[0] - machineStart[0]) / (now[1] - machineStart[1]);
    double own =
        (double) (ourCpuNanos() - oursStart)
            / ((System.nanoTime() - wallStart)
                * (double) Runtime.getRuntime().availableProcessors());
    return Math.max(0, 100 * (machine - own));
  }

  /**
   * Waits until the whole machine has used under 15% of its cores for {@code quietFor}, at most
   * {@code atMost}.
   */
  static boolean awaitQuiet(Duration quietFor, Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    long quietSince = System.nanoTime();
    long[] before = machineJiffies();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long[] after = machineJiffies();
      if ((double) (after[0] - before[0]) / (after[1] - before[1]) >= QUIET) {
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= quietFor.toNanos()) {
        return true;
      }
      before = after;
    }
    return false;
  }

  private long ourCpuNanos() {
    return ours.stream()
        .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
        .sum();
  }

  /** Busy and total jiffies of all cores, from the first line of /proc/stat. */
  private static long[] machineJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
        busy += Long.parseLong(f[i]);
      }
      return new long[] {busy, busy + Long.parseLong(f[4]) + Long.parseLong(f[5])}; // + idle iowait
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
