package io.jenkins.plugins.progressive.steps;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.model.Run;
import java.io.IOException;
import java.io.InputStream;
import jenkins.authentication.tokens.api.AuthenticationTokens;
import org.jenkinsci.plugins.kubernetes.auth.KubernetesAuth;
import org.jenkinsci.plugins.kubernetes.auth.KubernetesAuthConfig;
import org.jenkinsci.plugins.kubernetes.auth.KubernetesAuthException;
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
        StandardCredentials credential = read(credentialsId);
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
                + "; use a secret text, a username with password or a secret file");
    }

    /** The login the Kubernetes Credentials plugin makes of the credential (its {@link KubernetesAuth}). */
    @Override
    public RolloutDriver.Credential findForCluster(String credentialsId) throws IOException {
        StandardCredentials credential = read(credentialsId);
        KubernetesAuth auth = AuthenticationTokens.convert(KubernetesAuth.class, credential);
        if (auth == null) {
            throw new AbortException("credential '" + credentialsId + "' is a " + credential.getClass().getSimpleName()
                    + ", which the Kubernetes Credentials plugin cannot log in with; use a secret text token, a"
                    + " kubeconfig secret file, a Kubernetes token credential or a certificate");
        }
        return new RolloutDriver.Credential.ClusterLogin(!(credential instanceof FileCredentials),
                (builder, serverUrl, caCertificate, skipTlsVerify) -> {
                    try {
                        return auth.decorate(builder, new KubernetesAuthConfig(serverUrl, caCertificate,
                                skipTlsVerify));
                    } catch (KubernetesAuthException e) {
                        throw new AbortException("credential '" + credentialsId + "' made no login: "
                                + e.getMessage());
                    } catch (RuntimeException e) {
                        // e.g. a kubeconfig that does not parse: the parser's message may quote the file
                        throw new AbortException("credential '" + credentialsId + "' made no login ("
                                + e.getClass().getSimpleName() + ")");
                    }
                });
    }

    private StandardCredentials read(String credentialsId) throws IOException {
        StandardCredentials credential = CredentialsProvider.findCredentialById(credentialsId,
                StandardCredentials.class, run);
        if (credential == null) {
            throw new AbortException("credential '" + credentialsId + "' does not exist, or this build may not use it");
        }
        CredentialsProvider.track(run, credential);
        return credential;
    }
}
