package io.jenkins.plugins.progressive.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code target} section: where the release runs. */
final class TargetReader {

    static final String KUBERNETES = "kubernetes";
    static final String LOCAL = "local";
    static final String ENDPOINTS = "endpoints";
    static final List<String> KINDS = List.of(KUBERNETES, LOCAL, ENDPOINTS);

    static final Duration DEFAULT_READINESS_TIMEOUT = Duration.ofSeconds(30);
    static final Target.Readiness DEFAULT_READINESS = new Target.Readiness("/", DEFAULT_READINESS_TIMEOUT);

    private TargetReader() {
    }

    /**
     * The target, or null after recording why not. {@code kinds} are what {@link At#chosen} found: with several,
     * what is wrong inside each is still reported.
     */
    static Target read(At target, List<String> kinds) {
        Target read = null;
        for (String kind : kinds) {
            At at = target.field(kind);
            read = switch (kind) {
                case KUBERNETES -> kubernetes(at);
                case LOCAL -> local(at);
                default -> endpoints(at);
            };
        }
        return kinds.size() == 1 ? read : null;
    }

    private static Target kubernetes(At at) {
        if (!at.required("a mapping with namespace, deployment, container, image")
                || !at.mapping(List.of("namespace", "deployment", "container", "image"))) {
            return null;
        }
        String namespace = required(at.field("namespace"), Names.DNS_LABEL, Names::isDnsLabel);
        String deployment = required(at.field("deployment"), Names.DNS_SUBDOMAIN, Names::isDnsSubdomain);
        String container = at.field("container").string(Names.DNS_LABEL, Names::isDnsLabel);
        String image = required(at.field("image"), "an image reference without spaces, e.g. registry/shop or"
                + " registry/shop:1.4.2 or registry/shop@sha256:...", Names::isVersion);
        if (namespace == null || deployment == null || image == null
                || (at.field("container").present() && container == null)) {
            return null;
        }
        // The container is usually named like its Deployment; name it when it is not.
        return new Target.Kubernetes(namespace, deployment, container == null ? deployment : container, image);
    }

    private static Target local(At at) {
        if (!at.required("a mapping with command, instances, readiness, discovery")
                || !at.mapping(List.of("command", "instances", "readiness", "discovery"))) {
            return null;
        }
        At commandAt = at.field("command");
        List<String> command = commandAt.required("a list of strings (the program and its arguments)")
                ? commandAt.strings("string", Names::nonBlank, true) : null;
        Integer instances = at.field("instances").integer(1, 1000, "an integer 1..1000 (instances per version)");
        boolean ok = command != null && (instances != null || !at.field("instances").present());

        Target.Readiness readiness = DEFAULT_READINESS;
        At r = at.field("readiness");
        if (r.mapping(List.of("http", "timeout"))) {
            String http = r.field("http").string("an HTTP path starting with '/', e.g. /health",
                    s -> s.startsWith("/") && s.chars().noneMatch(Character::isWhitespace));
            Duration timeout = r.field("timeout").duration(false);
            ok &= (http != null || !r.field("http").present()) && (timeout != null || !r.field("timeout").present());
            readiness = new Target.Readiness(http == null ? "/" : http,
                    timeout == null ? DEFAULT_READINESS_TIMEOUT : timeout);
        } else if (r.present()) {
            ok = false;
        }

        Optional<String> fileSd = Optional.empty();
        At d = at.field("discovery");
        if (d.mapping(List.of("prometheusFileSd"))) {
            At f = d.field("prometheusFileSd");
            String path = f.required("a file path where Prometheus file_sd targets are written")
                    ? f.string("a file path", Names::nonBlank) : null;
            ok &= path != null;
            fileSd = Optional.ofNullable(path);
        } else if (d.present()) {
            ok = false;
        }
        return ok ? new Target.Local(command, instances == null ? 1 : instances, readiness, fileSd) : null;
    }

    private static Target endpoints(At at) {
        if (!at.required("a mapping with stable and canary") || !at.mapping(List.of("stable", "canary"))) {
            return null;
        }
        List<String> stable = addresses(at.field("stable"));
        List<String> canary = addresses(at.field("canary"));
        return stable != null && canary != null ? new Target.Endpoints(stable, canary) : null;
    }

    private static List<String> addresses(At at) {
        return at.required("a list of " + Names.HOST_PORT) ? at.strings(Names.HOST_PORT, Names::isHostPort, true) : null;
    }

    static String required(At at, String allowed, java.util.function.Predicate<String> valid) {
        return at.required(allowed) ? at.string(allowed, valid) : null;
    }
}
