package io.jenkins.plugins.progressive.steps;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();

    void add(String secret) {
        if (secret != null && !secret.isBlank()) {
            secrets.add(secret);
        }
    }

    /** {@code text} with every known secret replaced by {@value #MASK}, the longest first. */
    String apply(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        List<String> longestFirst = secrets.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        String masked = text;
        for (String secret : longestFirst) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }

    /** {@code lookup}, recording the secret of every credential it returns. */
    RolloutDriver.CredentialLookup recording(RolloutDriver.CredentialLookup lookup) {
        return id -> record(lookup.find(id));
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
        } else if (credential instanceof RolloutDriver.Credential.ClusterToken producer) {
            return new RolloutDriver.Credential.ClusterToken((serverUrl, ca, skipTlsVerify) -> {
                String token = producer.source().tokenFor(serverUrl, ca, skipTlsVerify);
                add(token);
                return token;
            });
        }
        return credential;
    }
}
