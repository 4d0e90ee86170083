package io.jenkins.plugins.progressive.configuration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/** The checks behind the global configuration form; each returns the problem, or empty. */
final class ConfigurationChecks {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private ConfigurationChecks() {
    }

    static Optional<String> name(String value) {
        String v = Texts.trim(value);
        if (v.isEmpty()) {
            return Optional.of("A name is required: steps refer to this entry by it.");
        }
        if (!NAME.matcher(v).matches()) {
            return Optional.of("'" + v + "' is not a valid name: use letters, digits, '.', '_' and '-'.");
        }
        return Optional.empty();
    }

    static Optional<String> httpUrl(String value) {
        String v = Texts.trim(value);
        if (v.isEmpty()) {
            return Optional.of("A URL is required, e.g. http://prometheus.monitoring:9090");
        }
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return Optional.of("'" + v + "' is not an http:// or https:// URL with a host.");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("'" + v + "' is not a URL: " + e.getReason());
        }
    }

    static Optional<String> clusterServer(String serverUrl, String cloud) {
        boolean hasUrl = !Texts.trim(serverUrl).isEmpty();
        boolean hasCloud = !Texts.trim(cloud).isEmpty();
        if (hasUrl && hasCloud) {
            return Optional.of("Give either an API server URL or a Kubernetes cloud, not both.");
        }
        if (!hasUrl) {
            return Optional.empty(); // the cloud, or the controller's own kubeconfig / in-cluster account
        }
        Optional<String> url = httpUrl(serverUrl);
        return url.isPresent() ? url : Optional.empty();
    }
}
