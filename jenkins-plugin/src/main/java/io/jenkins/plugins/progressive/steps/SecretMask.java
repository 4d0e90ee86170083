package io.jenkins.plugins.progressive.steps;

import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The secret values a step has read from the credentials store, masked as {@code ****} in every line it writes to
 * the build log (an engine error can echo what a server answered, a token included). Filled by the lookup it wraps,
 * so it knows exactly the secrets of this build; in memory only (after a restart it fills again as they are read).
 */
final class SecretMask {

    static final String MASK = "****";

    /** The secret fields of a kubeconfig (a file credential), masked one by one besides the whole file. */
    private static final Pattern KUBECONFIG_SECRET = Pattern.compile(
            "^\\s*(?:token|password|client-key-data|client-certificate-data)\\s*:\\s*['\"]?([^'\"\\s]+)",
            Pattern.MULTILINE);

    /** The secrets, longest first; sorted when one is added (rarely), not at every line masked. */
    private volatile List<String> longestFirst = List.of();

    synchronized void add(String secret) {
        if (secret != null && !secret.isBlank() && !longestFirst.contains(secret)) {
            longestFirst = Stream.concat(longestFirst.stream(), Stream.of(secret))
                    .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        }
    }

    /** {@code text} with every known secret replaced by {@value #MASK}, the longest first. */
    String apply(String text) {
        List<String> longestFirst = this.longestFirst;
        if (text == null || longestFirst.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String secret : longestFirst) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }

    /** {@code lookup}, recording the secret of every credential it returns, for clusters too. */
    RolloutDriver.CredentialLookup recording(RolloutDriver.CredentialLookup lookup) {
        return new RolloutDriver.CredentialLookup() {
            @Override
            public RolloutDriver.Credential find(String credentialsId) throws IOException {
                return record(lookup.find(credentialsId));
            }

            @Override
            public RolloutDriver.Credential findForCluster(String credentialsId) throws IOException {
                return record(lookup.findForCluster(credentialsId));
            }
        };
    }

    private RolloutDriver.Credential record(RolloutDriver.Credential credential) {
        if (credential instanceof RolloutDriver.Credential.Token token) {
            add(token.value());
        } else if (credential instanceof RolloutDriver.Credential.UsernamePassword user) {
            add(user.password());
        } else if (credential instanceof RolloutDriver.Credential.ServiceAccount account) {
            add(account.token());
        } else if (credential instanceof RolloutDriver.Credential.File file) {
            String content = new String(file.content(), StandardCharsets.UTF_8);
            add(content.strip());
            Matcher m = KUBECONFIG_SECRET.matcher(content);
            while (m.find()) {
                add(m.group(1));
            }
        } else if (credential instanceof RolloutDriver.Credential.ClusterLogin login) {
            // the secrets exist only once the login is made (a token producer asks the server for its token)
            return new RolloutDriver.Credential.ClusterLogin(login.needsServerUrl(),
                    (builder, serverUrl, caCertificate, skipTlsVerify) -> learn(
                            login.auth().decorate(builder, serverUrl, caCertificate, skipTlsVerify)));
        }
        return credential;
    }

    /** The secrets a Kubernetes login put into a client configuration. */
    private ConfigBuilder learn(ConfigBuilder login) {
        add(login.getOauthToken());
        add(login.getAutoOAuthToken()); // where fabric8 keeps a kubeconfig's token
        add(login.getPassword());
        add(login.getClientKeyData());
        add(login.getClientKeyPassphrase());
        return login;
    }
}
