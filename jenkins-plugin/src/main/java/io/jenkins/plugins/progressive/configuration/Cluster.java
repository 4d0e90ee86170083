package io.jenkins.plugins.progressive.configuration;

import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.progressive.engine.KubernetesClouds;
import jenkins.authentication.tokens.api.AuthenticationTokens;
import org.jenkinsci.plugins.kubernetes.auth.KubernetesAuth;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * A Kubernetes cluster that steps name with {@code cluster: 'prod'}: either an API server and a credential, or a
 * cloud of the Kubernetes plugin whose connection is reused.
 */
public final class Cluster implements Describable<Cluster> {

    private final String name;
    private String serverUrl = "";
    private String credentialsId = "";
    private String namespace = "";
    private String cloud = "";

    @DataBoundConstructor
    public Cluster(String name) {
        this.name = Texts.trim(name);
    }

    public String getName() {
        return name;
    }

    public String getServerUrl() {
        return serverUrl;
    }

    @DataBoundSetter
    public void setServerUrl(String serverUrl) {
        this.serverUrl = Texts.trim(serverUrl);
    }

    /** A secret-text token, a kubeconfig file, or any credential kubernetes-credentials turns into a token. */
    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Texts.trim(credentialsId);
    }

    /** The namespace used when a step names none. */
    public String getNamespace() {
        return namespace;
    }

    @DataBoundSetter
    public void setNamespace(String namespace) {
        this.namespace = Texts.trim(namespace);
    }

    /** The name of a Kubernetes-plugin cloud whose connection is used instead of serverUrl and credentialsId. */
    public String getCloud() {
        return cloud;
    }

    @DataBoundSetter
    public void setCloud(String cloud) {
        this.cloud = Texts.trim(cloud);
    }

    @Extension
    public static final class DescriptorImpl extends Descriptor<Cluster> {
        @Override
        public String getDisplayName() {
            return "Kubernetes cluster";
        }

        @POST
        public FormValidation doCheckName(@AncestorInPath Item item, @QueryParameter String value) {
            if (!FormAccess.mayConfigure(item)) {
                return FormValidation.ok();
            }
            return FormAccess.toValidation(ConfigurationChecks.name(value));
        }

        @POST
        public FormValidation doCheckServerUrl(@AncestorInPath Item item, @QueryParameter String value,
                @QueryParameter String cloud) {
            if (!FormAccess.mayConfigure(item)) {
                return FormValidation.ok();
            }
            return FormAccess.toValidation(ConfigurationChecks.clusterServer(value, cloud));
        }

        /** The Kubernetes plugin's clouds, and none. */
        @POST
        public ListBoxModel doFillCloudItems(@AncestorInPath Item item, @QueryParameter String cloud) {
            return FormAccess.names(item, cloud, KubernetesClouds::names);
        }

        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            // exactly the kinds the Kubernetes Credentials plugin can log in with
            return FormAccess.credentials(item, credentialsId, AuthenticationTokens.matcher(KubernetesAuth.class));
        }
    }
}
