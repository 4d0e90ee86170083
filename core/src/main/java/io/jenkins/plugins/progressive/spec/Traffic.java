package io.jenkins.plugins.progressive.spec;

import java.util.List;

/** How requests are split between stable and canary: exactly one router per spec. */
public sealed interface Traffic {

    /** No router: the share follows the ratio of ready instances. */
    record Replicas() implements Traffic {
    }

    /**
     * HAProxy through its runtime API, without reloads.
     *
     * @param runtimeApi {@code unix:/path/to/socket} or {@code tcp:host:port} (also plain {@code host:port})
     * @param backend a backend that exists in haproxy.cfg
     */
    record Haproxy(String runtimeApi, String backend) implements Traffic {
    }

    /** nginx: an upstream file rewritten atomically, then a graceful reload. */
    record Nginx(String upstreamFile, String upstream, List<String> reloadCommand) implements Traffic {
        public Nginx {
            reloadCommand = List.copyOf(reloadCommand);
        }
    }

    /** NGINX Ingress: a canary Ingress carrying the {@code canary-weight} annotation. */
    record NginxIngress(String ingress) implements Traffic {
    }

    /** Gateway API: the weights of an HTTPRoute's backendRefs. */
    record GatewayApi(String httpRoute) implements Traffic {
    }

    /** Istio: the weights of one route of a VirtualService. */
    record Istio(String virtualService, String route) implements Traffic {
    }
}
