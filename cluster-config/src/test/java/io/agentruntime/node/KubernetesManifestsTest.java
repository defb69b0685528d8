package io.agentruntime.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The manifests in cluster-config/kubernetes agree with what the `kubernetes` profile looks for:
 * the pods are found by the label and port name cluster bootstrap's discovery uses, the image's
 * classpath holds the bootstrap jars, the Role lets a pod list pods, probes hit the management
 * endpoints, and the disruption budget and rolling update never take two nodes at once. (No
 * Kubernetes here to apply them to: this checks the text against the configuration.)
 */
class KubernetesManifestsTest {

  private static final Path DIR = Path.of("kubernetes");
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
