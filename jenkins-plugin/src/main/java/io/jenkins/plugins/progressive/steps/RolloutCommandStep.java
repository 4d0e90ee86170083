package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import io.jenkins.plugins.progressive.configuration.Texts;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import io.jenkins.plugins.progressive.spec.Target;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A request to a live rollout, from another branch of the Pipeline or another job: it names the rollout (and, when
 * one name runs on several Deployments, its namespace and Deployment) and returns as soon as the request is stored.
 * The build's authentication needs the command's permission on the job that started the rollout.
 */
public abstract class RolloutCommandStep extends Step implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private String name = "";
    private String namespace = "";
    private String deployment = "";

    abstract String functionName();

    /** What the request asks of the rollout, and so the permission it needs on the rollout's job. */
    abstract RolloutAction.Command command();

    /**
     * Sends the request to the rollout {@code key}; returns the status word for the result map. {@code credentials}
     * is the asking build's lookup.
     */
    abstract String send(RolloutDriver driver, String key, RolloutDriver.CredentialLookup credentials)
            throws Exception;

    @Override
    public StepExecution start(StepContext context) throws Exception {
        return new CommandExecution(context, DeliveryRuntime.get(), this);
    }

    /** The rollout's key: its name, or its lock key {@code name@kubernetes/<namespace>/<deployment>}. */
    String key() throws AbortException {
        List<SpecProblem> problems = new ArrayList<>();
        if (name.isEmpty()) {
            problems.add(new SpecProblem("name", "is required: the name of the rollout (the spec's name)"));
        }
        if (namespace.isEmpty() != deployment.isEmpty()) {
            problems.add(new SpecProblem(namespace.isEmpty() ? "namespace" : "deployment",
                    "give namespace and deployment together, or neither"));
        }
        if (!problems.isEmpty()) {
            throw SpecBinding.invalid(functionName(), problems);
        }
        return namespace.isEmpty() ? name : name + "@" + new Target.Kubernetes(namespace, deployment, "", "").key();
    }

    public String getName() {
        return name;
    }

    @DataBoundSetter
    public void setName(String name) {
        this.name = Texts.trim(name);
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
}
