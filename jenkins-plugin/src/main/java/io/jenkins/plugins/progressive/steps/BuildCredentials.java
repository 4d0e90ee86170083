package io.jenkins.plugins.progressive.steps;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.model.Run;
import java.io.IOException;
import java.io.InputStream;
import org.jenkinsci.plugins.kubernetes.credentials.TokenProducer;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/** Credentials as a build sees them: looked up in the build's context, and their use tracked on the build. */
final class BuildCredentials implements RolloutDriver.CredentialLookup {

    private final Run<?, ?> run;

    BuildCredentials(Run<?, ?> run) {
        this.run = run;
    }

    static RolloutDriver.CredentialLookup of(Run<?, ?> run) {
        return run == null ? RolloutDriver.CredentialLookup.NONE : new BuildCredentials(run);
    }

    @Override
    public RolloutDriver.Credential find(String credentialsId) throws IOException {
        StandardCredentials credential = CredentialsProvider.findCredentialById(credentialsId,
                StandardCredentials.class, run);
        if (credential == null) {
            throw new AbortException("credential '" + credentialsId + "' does not exist, or this build may not use it");
        }
        CredentialsProvider.track(run, credential);
        // first: some token producers are also usernames with passwords (OpenShift's), and mean the token
        if (credential instanceof TokenProducer producer) {
            return new RolloutDriver.Credential.ClusterToken(producer::getToken);
        }
        if (credential instanceof StringCredentials text) {
            return new RolloutDriver.Credential.Token(text.getSecret().getPlainText());
        }
        if (credential instanceof StandardUsernamePasswordCredentials user) {
            return new RolloutDriver.Credential.UsernamePassword(user.getUsername(),
                    user.getPassword().getPlainText());
        }
        if (credential instanceof FileCredentials file) {
            try (InputStream content = file.getContent()) {
                return new RolloutDriver.Credential.File(content.readAllBytes());
            }
        }
        throw new AbortException("credential '" + credentialsId + "' is a " + credential.getClass().getSimpleName()
                + "; use a secret text, a username with password, a secret file or a Kubernetes token credential");
    }
}
