package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.configuration.Cluster;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.List;
import java.util.Optional;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A step that works on one target: a spec file from the workspace and/or inline parameters naming the service,
 * the release and where it runs. Parameters are bound to the spec's field names (see {@link SpecBinding}); a
 * parameter given together with {@code spec} overrides the file's value.
 */
public abstract class TargetedStep extends Step {

    private String spec = "";
    private String name = "";
    private String version = "";
    private String namespace = "";
    private String deployment = "";
    private String container = "";
    private String image = "";
    private String command = "";
    private int instances = 0;
    private String stableEndpoints = "";
    private String canaryEndpoints = "";
    private String cluster = "";
    private String cloud = "";

    /** The Pipeline function name, also used in messages. */
    abstract String functionName();

    abstract RolloutDriver.Operation operation();

    /** The strategy this step runs, or null when it runs none. */
    String strategy() {
        return null;
    }

    /** The workspace path of the spec file, or null. */
    final String specPath() {
        return spec.isEmpty() ? null : spec;
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        Plan plan = SpecBinding.plan(this, ProgressiveConfiguration.get());
        return new DeliveryExecution(context, DeliveryRuntime.get(), plan);
    }

    /** Adds this step's parameters to the binding; subclasses add theirs after calling this. */
    void bind(Binding b) {
        if (!spec.isEmpty() && !insideWorkspace(spec)) {
            b.problem("spec", "'" + spec + "' is not a relative path inside the workspace (no leading '/', no '..')");
        }
        b.text(name, "name");
        b.text(version, "version");
        String defaultNamespace = "";
        if (!cluster.isEmpty()) {
            Optional<Cluster> configured = b.servers.cluster(cluster);
            if (configured.isEmpty()) {
                b.problem("cluster", "no cluster named '" + cluster + "' is configured in Manage Jenkins » System » "
                        + "Progressive Delivery" + known(b.servers.getClusters().stream().map(Cluster::getName).toList()));
            } else {
                Cluster c = configured.get();
                b.cluster(new RolloutDriver.ClusterConnection(c.getName(), c.getServerUrl(), c.getCredentialsId(),
                        c.getNamespace(), c.getCloud()));
                defaultNamespace = c.getNamespace();
            }
        }
        if (!cloud.isEmpty()) {
            if (!cluster.isEmpty()) {
                b.problem("cloud", "give cluster or cloud, not both");
            } else {
                try {
                    String ns = b.servers.cloudNamespace(cloud);
                    b.cluster(new RolloutDriver.ClusterConnection("cloud " + cloud, "", "", ns, cloud));
                    defaultNamespace = ns;
                } catch (IllegalArgumentException e) {
                    b.problem("cloud", e.getMessage());
                }
            }
        }
        boolean kubernetes = !(namespace + deployment + container + image).isEmpty();
        boolean local = !command.isEmpty() || instances != 0;
        boolean endpoints = !(stableEndpoints + canaryEndpoints).isEmpty();
        if ((kubernetes ? 1 : 0) + (local ? 1 : 0) + (endpoints ? 1 : 0) > 1) {
            b.problem("target", "give the parameters of one target only: namespace, deployment, container, image "
                    + "(kubernetes); command, instances (local); stableEndpoints, canaryEndpoints (endpoints)");
            return;
        }
        if (local) {
            ObjectNode target = b.object("target", "local");
            if (!command.isEmpty()) {
                ArrayNode argv = target.putArray("command");
                ParameterSyntax.words(command).forEach(argv::add);
            }
            if (instances < 0) {
                b.problem("instances", instances + " is not an instance count: use 1 or more");
            } else if (instances > 0) {
                target.put("instances", instances);
            }
        } else if (endpoints) {
            ObjectNode target = b.object("target", "endpoints");
            ParameterSyntax.list(stableEndpoints).forEach(target.putArray("stable")::add);
            ParameterSyntax.list(canaryEndpoints).forEach(target.putArray("canary")::add);
        } else if (kubernetes || (specPath() == null && !defaultNamespace.isEmpty())) {
            // the cluster's namespace is a default for inline targets; a spec file's own namespace wins
            String ns = namespace.isEmpty() && specPath() == null ? defaultNamespace : namespace;
            b.text(ns, "namespace", "target", "kubernetes");
            b.text(deployment, "deployment", "target", "kubernetes");
            b.text(container, "container", "target", "kubernetes");
            b.text(image, "image", "target", "kubernetes");
        }
    }

    /** The spec is read on the agent as the build's user could not otherwise: keep it to the workspace. */
    static boolean insideWorkspace(String path) {
        String p = path.replace('\\', '/');
        return !p.startsWith("/") && !p.matches("^[A-Za-z]:.*") && java.util.Arrays.stream(p.split("/"))
                .noneMatch(".."::equals);
    }

    static String known(List<String> names) {
        return names.isEmpty() ? "; none is configured" : " (configured: " + String.join(", ", names) + ")";
    }

    public String getSpec() {
        return spec;
    }

    @DataBoundSetter
    public void setSpec(String spec) {
        this.spec = Texts.trim(spec);
    }

    public String getName() {
        return name;
    }

    @DataBoundSetter
    public void setName(String name) {
        this.name = Texts.trim(name);
    }

    public String getVersion() {
        return version;
    }

    @DataBoundSetter
    public void setVersion(String version) {
        this.version = Texts.trim(version);
    }

    public String getNamespace() {
        return namespace;
    }

    @DataBoundSetter
    public void setNamespace(String namespace) {
        this.namespace = Texts.trim(namespace);
    }

    public String getDeployment() {
        return deployment;
    }

    @DataBoundSetter
    public void setDeployment(String deployment) {
        this.deployment = Texts.trim(deployment);
    }

    public String getContainer() {
        return container;
    }

    @DataBoundSetter
    public void setContainer(String container) {
        this.container = Texts.trim(container);
    }

    public String getImage() {
        return image;
    }

    @DataBoundSetter
    public void setImage(String image) {
        this.image = Texts.trim(image);
    }

    public String getCommand() {
        return command;
    }

    @DataBoundSetter
    public void setCommand(String command) {
        this.command = Texts.trim(command);
    }

    public int getInstances() {
        return instances;
    }

    @DataBoundSetter
    public void setInstances(int instances) {
        this.instances = instances;
    }

    public String getStableEndpoints() {
        return stableEndpoints;
    }

    @DataBoundSetter
    public void setStableEndpoints(String stableEndpoints) {
        this.stableEndpoints = Texts.trim(stableEndpoints);
    }

    public String getCanaryEndpoints() {
        return canaryEndpoints;
    }

    @DataBoundSetter
    public void setCanaryEndpoints(String canaryEndpoints) {
        this.canaryEndpoints = Texts.trim(canaryEndpoints);
    }

    public String getCluster() {
        return cluster;
    }

    @DataBoundSetter
    public void setCluster(String cluster) {
        this.cluster = Texts.trim(cluster);
    }

    /** A cloud of the Kubernetes plugin, whose server, credentials and namespace the step uses. */
    public String getCloud() {
        return cloud;
    }

    @DataBoundSetter
    public void setCloud(String cloud) {
        this.cloud = Texts.trim(cloud);
    }
}
