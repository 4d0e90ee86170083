package org.csanchez.jenkins.plugins.kubernetes;

import hudson.slaves.Cloud;
import org.kohsuke.stapler.DataBoundConstructor;

public class KubernetesCloud extends Cloud {
    @DataBoundConstructor
    public KubernetesCloud(String name) {
        super(name);
        throw new UnsupportedOperationException("stub");
    }

    public String getServerUrl() {
        throw new UnsupportedOperationException("stub");
    }

    public String getServerCertificate() {
        throw new UnsupportedOperationException("stub");
    }

    public boolean isSkipTlsVerify() {
        throw new UnsupportedOperationException("stub");
    }

    public String getNamespace() {
        throw new UnsupportedOperationException("stub");
    }

    public String getCredentialsId() {
        throw new UnsupportedOperationException("stub");
    }
}
