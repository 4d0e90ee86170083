package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code snapshotState}: snapshots what a release touches (objects, and data through hooks) into a snapshot store. */
public final class SnapshotStateStep extends TargetedStep {

    static final String FUNCTION = "snapshotState";

    private String store = "";
    private String includeNamespaces = "";
    private String includeKinds = "";
    private String labelSelector = "";
    private String excludeKinds = "";
    private String encryptionKeyCredentialsId = "";

    @DataBoundConstructor
    public SnapshotStateStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    RolloutDriver.Operation operation() {
        return RolloutDriver.Operation.SNAPSHOT;
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        ObjectNode snapshot = b.object("snapshot").put("enabled", true);
        b.text(store, "store", "snapshot");
        BlueGreenSwitchStep.names(b.object("snapshot", "include"), "namespaces", includeNamespaces);
        BlueGreenSwitchStep.names(b.object("snapshot", "include"), "kinds", includeKinds);
        b.text(labelSelector, "labelSelector", "snapshot", "include");
        if (!excludeKinds.isEmpty()) {
            BlueGreenSwitchStep.names(b.object("snapshot", "exclude"), "kinds", excludeKinds);
        }
        if (snapshot.get("include").isEmpty()) {
            snapshot.remove("include");
        }
        b.option("encryptionKeyCredentialsId", encryptionKeyCredentialsId);
    }

    public String getStore() {
        return store;
    }

    @DataBoundSetter
    public void setStore(String store) {
        this.store = Texts.trim(store);
    }

    public String getIncludeNamespaces() {
        return includeNamespaces;
    }

    @DataBoundSetter
    public void setIncludeNamespaces(String includeNamespaces) {
        this.includeNamespaces = Texts.trim(includeNamespaces);
    }

    public String getIncludeKinds() {
        return includeKinds;
    }

    @DataBoundSetter
    public void setIncludeKinds(String includeKinds) {
        this.includeKinds = Texts.trim(includeKinds);
    }

    public String getLabelSelector() {
        return labelSelector;
    }

    @DataBoundSetter
    public void setLabelSelector(String labelSelector) {
        this.labelSelector = Texts.trim(labelSelector);
    }

    public String getExcludeKinds() {
        return excludeKinds;
    }

    @DataBoundSetter
    public void setExcludeKinds(String excludeKinds) {
        this.excludeKinds = Texts.trim(excludeKinds);
    }

    public String getEncryptionKeyCredentialsId() {
        return encryptionKeyCredentialsId;
    }

    @DataBoundSetter
    public void setEncryptionKeyCredentialsId(String encryptionKeyCredentialsId) {
        this.encryptionKeyCredentialsId = Texts.trim(encryptionKeyCredentialsId);
    }

    @Extension
    public static final class DescriptorImpl extends ProgressiveStepDescriptor {
        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Snapshot state";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
