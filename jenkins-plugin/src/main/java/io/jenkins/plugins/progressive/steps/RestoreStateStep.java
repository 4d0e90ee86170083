package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.List;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** {@code restoreState}: restores a snapshot, optionally into other namespaces (region failover to a standby). */
public final class RestoreStateStep extends TargetedStep {

    static final String FUNCTION = "restoreState";

    private String snapshotId = "";
    private String store = "";
    private String mapNamespace = "";
    private String existing = "";
    private boolean dryRun = false;
    private String encryptionKeyCredentialsId = "";

    @DataBoundConstructor
    public RestoreStateStep() {
    }

    @Override
    String functionName() {
        return FUNCTION;
    }

    @Override
    RolloutDriver.Operation operation() {
        return RolloutDriver.Operation.RESTORE;
    }

    @Override
    void bind(Binding b) {
        super.bind(b);
        if (snapshotId.isEmpty()) {
            b.problem("snapshotId", "is required: the id snapshotState returned, or one listed by "
                    + "'progressive snapshot list'");
        }
        b.option("snapshotId", snapshotId);
        b.text(store, "store", "snapshot");
        ParameterSyntax.namespaceMap(mapNamespace, "mapNamespace", b::problem);
        b.option("mapNamespace", String.join(",", ParameterSyntax.list(mapNamespace)));
        ParameterSyntax.checkOneOf(existing, EXISTING).ifPresentOrElse(p -> b.problem("existing", p),
                () -> b.option("existing", existing));
        b.option("dryRun", Boolean.toString(dryRun));
        b.option("encryptionKeyCredentialsId", encryptionKeyCredentialsId);
    }

    static final List<String> EXISTING = List.of("skip", "update", "replace");

    public String getSnapshotId() {
        return snapshotId;
    }

    @DataBoundSetter
    public void setSnapshotId(String snapshotId) {
        this.snapshotId = Texts.trim(snapshotId);
    }

    public String getStore() {
        return store;
    }

    @DataBoundSetter
    public void setStore(String store) {
        this.store = Texts.trim(store);
    }

    public String getMapNamespace() {
        return mapNamespace;
    }

    @DataBoundSetter
    public void setMapNamespace(String mapNamespace) {
        this.mapNamespace = Texts.trim(mapNamespace);
    }

    public String getExisting() {
        return existing;
    }

    @DataBoundSetter
    public void setExisting(String existing) {
        this.existing = Texts.trim(existing);
    }

    public boolean getDryRun() {
        return dryRun;
    }

    @DataBoundSetter
    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
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
            return "Restore state";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
        }
    }
}
