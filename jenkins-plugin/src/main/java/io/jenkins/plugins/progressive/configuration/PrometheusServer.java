package io.jenkins.plugins.progressive.configuration;

import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/** A Prometheus server that steps and analysis templates name with {@code prometheus: 'main'}. */
public final class PrometheusServer implements Describable<PrometheusServer> {

    private final String name;
    private String url = "";
    private String credentialsId = "";

    @DataBoundConstructor
    public PrometheusServer(String name) {
        this.name = Texts.trim(name);
    }

    public String getName() {
        return name;
    }

    public String getUrl() {
        return url;
    }

    @DataBoundSetter
    public void setUrl(String url) {
        this.url = Texts.trim(url);
    }

    /** A secret-text bearer token or a username and password; empty when the server needs none. */
    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Texts.trim(credentialsId);
    }

    @Extension
    public static final class DescriptorImpl extends Descriptor<PrometheusServer> {
        @Override
        public String getDisplayName() {
            return "Prometheus server";
        }

        @POST
        public FormValidation doCheckName(@AncestorInPath Item item, @QueryParameter String value) {
            if (!FormAccess.mayConfigure(item)) {
                return FormValidation.ok();
            }
            return FormAccess.toValidation(ConfigurationChecks.name(value));
        }

        @POST
        public FormValidation doCheckUrl(@AncestorInPath Item item, @QueryParameter String value) {
            if (!FormAccess.mayConfigure(item)) {
                return FormValidation.ok();
            }
            return FormAccess.toValidation(ConfigurationChecks.httpUrl(value));
        }

        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return FormAccess.credentials(item, credentialsId, StringCredentials.class,
                    StandardUsernamePasswordCredentials.class);
        }
    }
}
