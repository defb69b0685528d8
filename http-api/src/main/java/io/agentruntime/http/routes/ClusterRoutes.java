package io.agentruntime.http.routes;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.agentruntime.http.auth.Principal;
import io.agentruntime.http.auth.Role;
import io.agentruntime.http.error.ApiError;
import io.agentruntime.http.json.Json;
import io.agentruntime.runtime.session.SessionEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats;
import org.apache.pekko.cluster.sharding.ShardRegion.ShardRegionStats;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/cluster}: the members with their state, address and roles and the sessions and
 * shards each hosts; {@code POST /v1/cluster/members/{node}/leave}: that member leaves gracefully
 * (its shards are handed off first), the operation Pekko Management's {@code PUT
 * /cluster/members/{address}} with {@code operation=Leave} performs for {@code bin/agent-runtime
 * cluster leave}. The cluster serves every tenant, so only operators of the tenants named in {@code
 * agent-runtime.http.cluster-operator-tenants} may use them (403 otherwise); the counts name no
 * tenant and no session.
 */
public final class ClusterRoutes {

  /** One member as the API shows it; {@code node} is {@code host:port}, as in X-Agent-Node. */
  public record MemberBody(
      String node,
      String address,
      String status,
      boolean reachable,
      List<String> roles,
      Integer sessions,
      Integer shards) {}

  /** The view: {@code self} is the node that answered; counts are null when sharding did not. */
  public record ClusterBody(String self, String leader, List<MemberBody> members) {}

  /** What {@code leave} answers: the member is on its way out. */
  public record LeavingBody(String node, String address, String status) {}

  private final ActorSystem<?> system;
  private final Set<String> operatorTenants;
  private final Duration statsTimeout;

  ClusterRoutes(ActorSystem<?> system, Set<String> operatorTenants, Duration statsTimeout) {
    this.system = system;
    this.operatorTenants = Set.copyOf(operatorTenants);
    this.statsTimeout = statsTimeout;
  }

  /** Whether {@code principal} may see and change the cluster: an operator of a named tenant. */
  static boolean allowed(Principal principal, Set<String> operatorTenants) {
    return principal.has(Role.OPERATOR) && operatorTenants.contains(principal.tenant());
  }

  Route routes(Principal principal) {
    return concat(
        pathEnd(() -> get(() -> allowedOnly(principal, () -> Responses.ok(view())))),
        path(
            segment("members").slash(segment()).slash(segment("leave")),
            node -> post(() -> allowedOnly(principal, () -> leave(node)))));
  }

  /** Checked once the path matched, so an unknown path under /v1/cluster stays a 404. */
  private Route allowedOnly(Principal principal, Supplier<Route> inner) {
    if (!allowed(principal, operatorTenants)) {
      throw ApiError.roleMissing(
          "the cluster needs the operator role of a tenant named in"
              + " agent-runtime.http.cluster-operator-tenants");
    }
    return inner.get();
  }

  private Route leave(String node) {
    Member member =
        members().stream()
            .filter(m -> nodeOf(m.address()).equals(node))
            .findFirst()
            .orElseThrow(
                () ->
                    new ApiError(
                        StatusCodes.NOT_FOUND, "member_not_found", "no member is " + node));
    MemberStatus status = member.status();
    if (status != MemberStatus.up() && status != MemberStatus.weaklyUp()) {
      throw new ApiError(
          StatusCodes.CONFLICT,
          "member_not_up",
          node + " is " + status + ", not Up: nothing to do");
    }
    Cluster.get(system).manager().tell(Leave.create(member.address()));
    return complete(
        Json.response(
            StatusCodes.ACCEPTED, new LeavingBody(node, member.address().toString(), "leaving")));
  }

  private CompletionStage<ClusterBody> view() {
    return AskPattern.<ClusterShardingQuery, ClusterShardingStats>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetClusterShardingStats(SessionEntity.TYPE_KEY, statsTimeout, replyTo),
            statsTimeout.plusSeconds(1),
            system.scheduler())
        .thenApply(stats -> Optional.of(stats.getRegions()))
        .exceptionally(failed -> Optional.empty())
        .thenApply(this::body);
  }

  private ClusterBody body(Optional<Map<Address, ShardRegionStats>> regions) {
    Cluster cluster = Cluster.get(system);
    Set<Member> unreachable = cluster.state().getUnreachable();
    List<MemberBody> members = new ArrayList<>();
    for (Member m : members()) {
      Optional<ShardRegionStats> region = regions.map(r -> r.get(m.address()));
      members.add(
          new MemberBody(
              nodeOf(m.address()),
              m.address().toString(),
              m.status().toString(),
              !unreachable.contains(m),
              m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList(),
              region
                  .map(
                      s ->
                          s.getStats().values().stream()
                              .mapToInt(n -> ((Number) n).intValue())
                              .sum())
                  .orElse(regions.isPresent() ? 0 : null),
              region.map(s -> s.getStats().size()).orElse(regions.isPresent() ? 0 : null)));
    }
    String leader =
        cluster.state().getLeader() == null ? null : nodeOf(cluster.state().getLeader());
    return new ClusterBody(nodeOf(cluster.selfMember().address()), leader, members);
  }

  private List<Member> members() {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .toList();
  }

  /** As the runtime names a session's host (X-Agent-Node). */
  private static String nodeOf(Address address) {
    return address.getHost().orElse("local")
        + ":"
        + address.getPort().map(String::valueOf).orElse("0");
  }
}
