package io.jenkins.plugins.progressive.steps;

import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.progressive.configuration.Cluster;
import io.jenkins.plugins.progressive.configuration.FormAccess;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import io.jenkins.plugins.progressive.configuration.PrometheusServer;
import io.jenkins.plugins.progressive.configuration.Texts;
import io.jenkins.plugins.progressive.engine.KubernetesClouds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * Form validation shared by every step's form (Snippet Generator and the freestyle builders, which show the same
 * form). Each check needs Item/Configure on the job, or Overall/Administer outside one, and acts only on POST.
 */
public abstract class ProgressiveStepDescriptor extends StepDescriptor {

    @POST
    public FormValidation doCheckSteps(@AncestorInPath Item item, @QueryParameter String value) {
        if (!FormAccess.mayConfigure(item)) {
            return FormValidation.ok();
        }
        List<String> problems = new ArrayList<>();
        ParameterSyntax.canarySteps(value, "steps", (path, message) -> problems.add(path + ": " + message));
        return problems.isEmpty() ? FormValidation.ok() : FormValidation.error(String.join("; ", problems));
    }

    @POST
    public FormValidation doCheckBatches(@AncestorInPath Item item, @QueryParameter String value) {
        if (!FormAccess.mayConfigure(item)) {
            return FormValidation.ok();
        }
        List<String> problems = new ArrayList<>();
        ParameterSyntax.batches(value, "batches", (path, message) -> problems.add(path + ": " + message));
        return problems.isEmpty() ? FormValidation.ok() : FormValidation.error(String.join("; ", problems));
    }

    @POST
    public FormValidation doCheckScaleDownDelay(@AncestorInPath Item item, @QueryParameter String value) {
        return check(item, ParameterSyntax.checkDuration(value));
    }

    @POST
    public FormValidation doCheckPauseBetweenBatches(@AncestorInPath Item item, @QueryParameter String value) {
        return check(item, ParameterSyntax.checkDuration(value));
    }

    @POST
    public FormValidation doCheckOnFailure(@AncestorInPath Item item, @QueryParameter String value) {
        return check(item, ParameterSyntax.checkOneOf(value, RolloutStep.ON_FAILURE));
    }

    @POST
    public FormValidation doCheckExisting(@AncestorInPath Item item, @QueryParameter String value) {
        return check(item, ParameterSyntax.checkOneOf(value, RestoreStateStep.EXISTING));
    }

    @POST
    public FormValidation doCheckMapNamespace(@AncestorInPath Item item, @QueryParameter String value) {
        List<String> problems = new ArrayList<>();
        ParameterSyntax.namespaceMap(value, "mapNamespace", (path, message) -> problems.add(message));
        return check(item, problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems)));
    }

    @POST
    public FormValidation doCheckCluster(@AncestorInPath Item item, @QueryParameter String value) {
        String name = Texts.trim(value);
        if (name.isEmpty() || !FormAccess.mayConfigure(item)) {
            return FormValidation.ok();
        }
        ProgressiveConfiguration config = ProgressiveConfiguration.get();
        return config.cluster(name).isPresent() ? FormValidation.ok()
                : FormValidation.error("No cluster named '" + name + "' is configured"
                        + TargetedStep.known(config.getClusters().stream().map(c -> c.getName()).toList()));
    }

    @POST
    public FormValidation doCheckPrometheus(@AncestorInPath Item item, @QueryParameter String value) {
        String name = Texts.trim(value);
        if (name.isEmpty() || !FormAccess.mayConfigure(item)) {
            return FormValidation.ok();
        }
        ProgressiveConfiguration config = ProgressiveConfiguration.get();
        return config.prometheus(name).isPresent() ? FormValidation.ok()
                : FormValidation.error("No Prometheus server named '" + name + "' is configured" + TargetedStep.known(
                        config.getPrometheusServers().stream().map(PrometheusServer::getName).toList()));
    }

    /** The clusters of the global configuration, and none (a cloud, or the pod agent's account). */
    @POST
    public ListBoxModel doFillClusterItems(@AncestorInPath Item item, @QueryParameter String cluster) {
        return FormAccess.names(item, cluster,
                () -> ProgressiveConfiguration.get().getClusters().stream().map(Cluster::getName).toList());
    }

    /** The Kubernetes plugin's clouds, and none. */
    @POST
    public ListBoxModel doFillCloudItems(@AncestorInPath Item item, @QueryParameter String cloud) {
        return FormAccess.names(item, cloud, KubernetesClouds::names);
    }

    /** The snapshot encryption key: a secret text or a file credential holding 32 bytes, base64. */
    @POST
    public ListBoxModel doFillEncryptionKeyCredentialsIdItems(@AncestorInPath Item item,
            @QueryParameter String encryptionKeyCredentialsId) {
        return FormAccess.credentials(item, encryptionKeyCredentialsId, StringCredentials.class,
                FileCredentials.class);
    }

    private static FormValidation check(Item item, Optional<String> problem) {
        return FormAccess.mayConfigure(item) ? FormAccess.toValidation(problem) : FormValidation.ok();
    }
}
