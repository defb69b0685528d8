package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The manifests in cluster-config/kubernetes agree with what the `kubernetes` profile looks for:
 * the pods are found by the label and port name cluster bootstrap's discovery uses, the image's
 * classpath holds the bootstrap jars, the Role lets a pod list pods, probes hit the management
 * endpoints, the disruption budget and rolling update never take two nodes at once, and the network
 * policy admits remoting and management only from the runtime's own pods. (No Kubernetes here to
 * apply them to: this checks the manifests against the configuration.)
 */
class KubernetesManifestsTest {

  private static final Path DIR = Path.of("kubernetes");
  private static final YAMLMapper YAML = new YAMLMapper();
  private final Config profile = ConfigFactory.load("kubernetes");

  private static String read(String file) throws IOException {
    return Files.readString(DIR.resolve(file));
  }

  @Test
  void podsCarryTheLabelAndPortNameThatBootstrapDiscovers() throws IOException {
    String deployment = read("deployment.yaml");
    String service =
        profile.getString(
            "pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
    String selector =
        profile.getString("pekko.discovery.kubernetes-api.pod-label-selector").formatted(service);
    assertEquals("app.kubernetes.io/name=agent-runtime", selector);
    assertTrue(
        deployment.contains("        app.kubernetes.io/name: agent-runtime\n"),
        "the pod template carries the label");
    String portName =
        profile.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name");
    assertTrue(
        deployment.contains("- name: " + portName + "\n              containerPort: 8558"),
        "management port named " + portName);
    assertTrue(deployment.contains("AGENT_RUNTIME_MANAGEMENT_PORT\n              value: \"8558\""));
  }

  @Test
  void theImageRunsTheKubernetesProfileWithTheBootstrapJars() throws IOException {
    String deployment = read("deployment.yaml");
    assertTrue(deployment.contains("name: AGENT_RUNTIME_PROFILE\n              value: kubernetes"));
    assertTrue(
        deployment.contains("/opt/agent-runtime/lib-kubernetes/*"),
        "cluster bootstrap's jars on the classpath");
    assertTrue(
        !deployment.contains("name: AGENT_RUNTIME_SEED_NODES"), "no seed nodes with bootstrap");
    assertTrue(deployment.contains("serviceAccountName: agent-runtime"));
  }

  @Test
  void theRoleLetsAPodListThePodsOfItsNamespace() throws IOException {
    String rbac = read("rbac.yaml");
    assertTrue(rbac.contains("resources: [\"pods\"]"));
    assertTrue(rbac.contains("verbs: [\"get\", \"watch\", \"list\"]"));
    assertTrue(rbac.contains("name: agent-runtime\n"), "bound to the pods' service account");
  }

  @Test
  void theNetworkPolicyAdmitsRemotingAndManagementOnlyFromTheClustersOwnPods() throws IOException {
    JsonNode deployment = yaml("deployment.yaml").get(0);
    Map<String, String> podLabels = strings(deployment.at("/spec/template/metadata/labels"));
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    Map<String, Integer> ports = new HashMap<>();
    container
        .path("ports")
        .forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    Map<String, String> env = new HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    assertEquals(Map.of("http", 8080, "remoting", 25520, "management", 8558), ports);
    assertEquals("8080", env.get("AGENT_RUNTIME_HTTP_PORT"), "the node listens where the pod says");
    assertEquals("25520", env.get("AGENT_RUNTIME_CLUSTER_PORT"));
    assertEquals("8558", env.get("AGENT_RUNTIME_MANAGEMENT_PORT"));

    JsonNode policy = yaml("networkpolicy.yaml").get(0);
    assertEquals("NetworkPolicy", policy.path("kind").asText());
    JsonNode spec = policy.path("spec");
    Map<String, String> selected = strings(spec.at("/podSelector/matchLabels"));
    assertTrue(
        !selected.isEmpty() && podLabels.entrySet().containsAll(selected.entrySet()),
        "the policy applies to the Deployment's pods: " + selected);
    assertTrue(spec.path("policyTypes").toString().contains("Ingress"), "it restricts ingress");

    // Which ports each rule opens, and to whom: a rule without `from` admits anyone, one without
    // `ports` every port.
    Set<String> openToAnyone = new HashSet<>();
    Set<String> openToTheClustersPods = new HashSet<>();
    for (JsonNode rule : spec.path("ingress")) {
      Set<String> opened = new HashSet<>();
      if (rule.path("ports").isEmpty()) {
        opened.addAll(ports.keySet());
      }
      for (JsonNode port : rule.path("ports")) {
        String name = port.path("port").asText();
        opened.add(
            ports.entrySet().stream()
                .filter(p -> p.getValue().toString().equals(name))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(name));
      }
      if (rule.path("from").isEmpty()) {
        openToAnyone.addAll(opened);
        continue;
      }
      for (JsonNode peer : rule.path("from")) {
        List<String> kinds = peer.properties().stream().map(Map.Entry::getKey).toList();
        assertEquals(List.of("podSelector"), kinds, "pods of this namespace only, no IP blocks");
        Map<String, String> admitted = strings(peer.at("/podSelector/matchLabels"));
        assertTrue(
            admitted.containsKey("app.kubernetes.io/name")
                && podLabels.entrySet().containsAll(admitted.entrySet()),
            "only pods labelled as the runtime's own: " + admitted);
      }
      openToTheClustersPods.addAll(opened);
    }
    assertEquals(Set.of("http"), openToAnyone, "only the session API is open to anyone");
    assertEquals(Set.of("remoting", "management"), openToTheClustersPods);
    assertTrue(read("kustomization.yaml").contains("- networkpolicy.yaml"));
  }

  private static List<JsonNode> yaml(String file) throws IOException {
    try (MappingIterator<JsonNode> documents =
        YAML.readerFor(JsonNode.class).readValues(DIR.resolve(file).toFile())) {
      return documents.readAll();
    }
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new HashMap<>();
    object.properties().forEach(f -> map.put(f.getKey(), f.getValue().asText()));
    return map;
  }

  @Test
  void probesUseManagementAndNodesLeaveOneAtATime() throws IOException {
    String deployment = read("deployment.yaml");
    assertTrue(deployment.contains("readinessProbe:"));
    assertTrue(deployment.contains("path: /ready"));
    assertTrue(deployment.contains("livenessProbe:"));
    assertTrue(deployment.contains("path: /alive"));
    assertTrue(deployment.contains("maxUnavailable: 0"));
    assertTrue(read("pdb.yaml").contains("maxUnavailable: 1"));
    String kustomization = read("kustomization.yaml");
    for (String file : new String[] {"deployment.yaml", "rbac.yaml", "pdb.yaml", "service.yaml"}) {
      assertTrue(kustomization.contains(file), "the kustomization applies " + file);
    }
  }
}
