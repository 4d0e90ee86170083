package io.jenkins.plugins.progressive.s3;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&pathStyle=true}: where an S3
 * snapshot store lives. Without {@code endpoint} the store talks to AWS itself.
 */
record S3Location(String bucket, String prefix, Optional<URI> endpoint, String region, boolean pathStyle) {

    private static final Set<String> PARAMETERS = Set.of("endpoint", "region", "pathStyle");

    static S3Location parse(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw bad(uri, "it must start with s3://");
        }
        String rest = uri.substring("s3://".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw bad(uri, "'" + bucket + "' is not a bucket name (3-63 lowercase letters, digits, '.', '-')");
        }
        prefix = prefix.replaceAll("^/+|/+$", "");
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!PARAMETERS.contains(name)) {
                throw bad(uri, "unknown parameter '" + name + "'; allowed: endpoint, region, pathStyle");
            }
            params.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        Optional<URI> endpoint = Optional.ofNullable(params.get("endpoint")).map(e -> {
            try {
                URI u = URI.create(e);
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
                return u;
            } catch (IllegalArgumentException ex) {
                throw bad(uri, "endpoint '" + e + "' is not an http(s) URL");
            }
        });
        String region = params.getOrDefault("region", "us-east-1");
        if (!region.matches("[a-z0-9-]+")) {
            throw bad(uri, "region '" + region + "' is not a region name (for example us-east-1)");
        }
        String pathStyle = params.getOrDefault("pathStyle", "true");
        if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw bad(uri, "pathStyle must be true or false");
        }
        return new S3Location(bucket, prefix, endpoint, region, Boolean.parseBoolean(pathStyle));
    }

    /** The object key of {@code name} under the prefix. */
    String key(String name) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + endpoint.map(e -> " at " + e).orElse("");
    }

    private static IllegalArgumentException bad(String uri, String why) {
        return new IllegalArgumentException("snapshot.store: '" + uri + "': " + why
                + "; expected s3://bucket/prefix?endpoint=http://host:port&region=us-east-1");
    }
}
