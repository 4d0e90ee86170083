package io.jenkins.plugins.progressive.spec;

import java.util.List;
import java.util.Map;

/** The {@code traffic} section: which router splits requests, and whether it can work with the target. */
final class TrafficReader {

    static final List<String> ROUTERS = List.of("replicas", "haproxy", "nginx", "nginxIngress", "gatewayApi", "istio");
    static final List<String> DEFAULT_NGINX_RELOAD = List.of("nginx", "-s", "reload");

    /** Which routers can split traffic for each kind of target. */
    private static final Map<String, List<String>> WORKS_WITH = Map.of(
            TargetReader.KUBERNETES, List.of("replicas", "nginxIngress", "gatewayApi", "istio"),
            TargetReader.LOCAL, List.of("replicas", "haproxy", "nginx"),
            TargetReader.ENDPOINTS, List.of("haproxy", "nginx"));

    private TrafficReader() {
    }

    /** The router, or null after recording why not. */
    static Traffic read(At traffic, String targetKind) {
        if (!traffic.present()) {
            if (TargetReader.ENDPOINTS.equals(targetKind)) {
                traffic.problem("is required for an endpoints target (running instances cannot be split by"
                        + " replica count); allowed: haproxy, nginx");
                return null;
            }
            return new Traffic.Replicas();
        }
        if (!traffic.mapping(ROUTERS)) {
            return null;
        }
        return traffic.readOne(ROUTERS, (kind, at) -> router(at, kind, targetKind));
    }

    private static Traffic router(At at, String kind, String targetKind) {
        boolean fits = true;
        if (targetKind != null && !WORKS_WITH.get(targetKind).contains(kind)) {
            at.problem("cannot split traffic for " + (targetKind.equals(TargetReader.ENDPOINTS) ? "an " : "a ")
                    + targetKind + " target" + needs(kind) + "; allowed with " + targetKind + ": "
                    + String.join(", ", WORKS_WITH.get(targetKind)));
            fits = false;
        }
        Traffic t = switch (kind) {
            case "replicas" -> at.mapping(List.of()) ? new Traffic.Replicas() : null;
            case "haproxy" -> haproxy(at);
            case "nginx" -> nginx(at);
            case "nginxIngress" -> named(at, "ingress", n -> new Traffic.NginxIngress(n));
            case "gatewayApi" -> named(at, "httpRoute", n -> new Traffic.GatewayApi(n));
            default -> istio(at);
        };
        if (kind.equals("replicas") && !at.present()) {
            t = new Traffic.Replicas(); // `replicas:` with no value
        }
        return fits ? t : null;
    }

    private static String needs(String kind) {
        return switch (kind) {
            case "haproxy", "nginx" -> " (" + kind + " needs a local or endpoints target)";
            case "replicas" -> " (replicas needs a kubernetes or local target)";
            default -> " (" + kind + " needs a kubernetes target)";
        };
    }

    private static Traffic haproxy(At at) {
        if (!at.required("a mapping with runtimeApi, backend") || !at.mapping(List.of("runtimeApi", "backend"))) {
            return null;
        }
        String api = TargetReader.required(at.field("runtimeApi"),
                "unix:/path/to/admin.sock, tcp:host:port or host:port", TrafficReader::isRuntimeApi);
        String backend = TargetReader.required(at.field("backend"),
                "an HAProxy backend name (letters, digits, '-', '_', '.', ':')", s -> s.matches("[A-Za-z0-9_.:-]+"));
        return api != null && backend != null ? new Traffic.Haproxy(api, backend) : null;
    }

    static boolean isRuntimeApi(String s) {
        if (s.startsWith("unix:")) {
            return s.length() > 5 && s.charAt(5) == '/';
        }
        return Names.isHostPort(s.startsWith("tcp:") ? s.substring(4) : s);
    }

    private static Traffic nginx(At at) {
        if (!at.required("a mapping with upstreamFile, upstream, reloadCommand")
                || !at.mapping(List.of("upstreamFile", "upstream", "reloadCommand"))) {
            return null;
        }
        String file = TargetReader.required(at.field("upstreamFile"), "the path of the file holding the upstream",
                Names::nonBlank);
        String upstream = TargetReader.required(at.field("upstream"),
                "an nginx upstream name (letters, digits, '-', '_', '.')", s -> s.matches("[A-Za-z0-9_.-]+"));
        At reloadAt = at.field("reloadCommand");
        List<String> reload = reloadAt.strings("string", Names::nonBlank, true);
        if (file == null || upstream == null || (reloadAt.present() && reload == null)) {
            return null;
        }
        return new Traffic.Nginx(file, upstream, reload == null ? DEFAULT_NGINX_RELOAD : reload);
    }

    private static Traffic named(At at, String field, java.util.function.Function<String, Traffic> make) {
        if (!at.required("a mapping with " + field) || !at.mapping(List.of(field))) {
            return null;
        }
        String name = TargetReader.required(at.field(field), Names.DNS_SUBDOMAIN, Names::isDnsSubdomain);
        return name == null ? null : make.apply(name);
    }

    private static Traffic istio(At at) {
        if (!at.required("a mapping with virtualService, route") || !at.mapping(List.of("virtualService", "route"))) {
            return null;
        }
        String vs = TargetReader.required(at.field("virtualService"), Names.DNS_SUBDOMAIN, Names::isDnsSubdomain);
        String route = TargetReader.required(at.field("route"), "the name of an HTTP route of the VirtualService",
                Names::nonBlank);
        return vs != null && route != null ? new Traffic.Istio(vs, route) : null;
    }
}
