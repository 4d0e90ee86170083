package io.jenkins.plugins.progressive.configuration;

import io.jenkins.plugins.progressive.engine.ControllerAccess;
import io.jenkins.plugins.progressive.engine.KubernetesClouds;
import io.jenkins.plugins.progressive.kubernetes.ClusterException;

import hudson.Extension;
import hudson.ExtensionList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jenkins.model.GlobalConfiguration;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * Manage Jenkins » System » Progressive Delivery: the clusters and Prometheus servers that steps name, and what
 * steps may do on the controller itself (nothing unless allowed here: see {@link ControllerAccess}). Setters only,
 * so Configuration as Code writes it as {@code unclassified: progressiveDelivery: clusters: [...]
 * prometheusServers: [...] allowControllerProcesses: false allowedControllerPaths: "" allowControllerKubernetesIdentity:
 * false}.
 */
@Extension
@Symbol("progressiveDelivery")
public class ProgressiveConfiguration extends GlobalConfiguration implements Servers {

    private List<Cluster> clusters = new ArrayList<>();
    private List<PrometheusServer> prometheusServers = new ArrayList<>();
    private boolean allowControllerProcesses;
    private String allowedControllerPaths = "";
    private boolean allowControllerKubernetesIdentity;

    public ProgressiveConfiguration() {
        load();
    }

    public static ProgressiveConfiguration get() {
        return ExtensionList.lookupSingleton(ProgressiveConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return "Progressive Delivery";
    }

    @Override
    public List<Cluster> getClusters() {
        return clusters == null ? List.of() : List.copyOf(clusters);
    }

    @DataBoundSetter
    public void setClusters(List<Cluster> clusters) {
        this.clusters = clusters == null ? new ArrayList<>() : new ArrayList<>(clusters);
        save();
    }

    @Override
    public List<PrometheusServer> getPrometheusServers() {
        return prometheusServers == null ? List.of() : List.copyOf(prometheusServers);
    }

    @DataBoundSetter
    public void setPrometheusServers(List<PrometheusServer> prometheusServers) {
        this.prometheusServers = prometheusServers == null ? new ArrayList<>() : new ArrayList<>(prometheusServers);
        save();
    }

    /** Local targets, nginx reload commands and HAProxy runtime APIs on the controller's loopback. */
    public boolean isAllowControllerProcesses() {
        return allowControllerProcesses;
    }

    @DataBoundSetter
    public void setAllowControllerProcesses(boolean allowControllerProcesses) {
        this.allowControllerProcesses = allowControllerProcesses;
        save();
    }

    /** Absolute path prefixes on the controller, one a line, under which steps may use files and unix sockets. */
    public String getAllowedControllerPaths() {
        return allowedControllerPaths == null ? "" : allowedControllerPaths;
    }

    @DataBoundSetter
    public void setAllowedControllerPaths(String allowedControllerPaths) {
        this.allowedControllerPaths = Texts.trim(allowedControllerPaths);
        save();
    }

    /** Steps naming no cluster (or a cloud without credentials) act with the controller's own Kubernetes account. */
    public boolean isAllowControllerKubernetesIdentity() {
        return allowControllerKubernetesIdentity;
    }

    @DataBoundSetter
    public void setAllowControllerKubernetesIdentity(boolean allowControllerKubernetesIdentity) {
        this.allowControllerKubernetesIdentity = allowControllerKubernetesIdentity;
        save();
    }

    /** What the settings above allow, for the engine. */
    public ControllerAccess controllerAccess() {
        return new ControllerAccess(allowControllerProcesses, getAllowedControllerPaths().lines().toList(),
                allowControllerKubernetesIdentity);
    }

    @Override
    public String cloudNamespace(String cloud) {
        try {
            return KubernetesClouds.find(cloud).namespace();
        } catch (ClusterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public Optional<Cluster> cluster(String name) {
        return getClusters().stream().filter(c -> c.getName().equals(name)).findFirst();
    }

    @Override
    public Optional<PrometheusServer> prometheus(String name) {
        return getPrometheusServers().stream().filter(p -> p.getName().equals(name)).findFirst();
    }
}
