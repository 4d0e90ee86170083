package io.jenkins.plugins.progressive.spec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where the release runs: exactly one of these per spec. */
public sealed interface Target {

    /** Identifies the target in lock keys and state file names; stable across runs. */
    String key();

    /**
     * A Deployment in a cluster.
     *
     * @param image the image without tag (then {@code :<version>} is appended) or with a tag or digest
     *              (then it is deployed exactly)
     */
    record Kubernetes(String namespace, String deployment, String container, String image) implements Target {
        @Override
        public String key() {
            return "kubernetes/" + namespace + "/" + deployment;
        }

        /** The image reference that runs {@code version}. */
        public String imageFor(String version) {
            int slash = image.lastIndexOf('/');
            boolean tagged = image.contains("@") || image.indexOf(':', slash + 1) >= 0;
            return tagged ? image : image + ":" + version;
        }
    }

    /**
     * Processes on this host, started per version on free ports.
     *
     * @param command argv; {@code {port}} and {@code {version}} are substituted per instance
     * @param instances instances per version
     */
    record Local(List<String> command, int instances, Readiness readiness, Optional<String> prometheusFileSd)
            implements Target {
        public Local {
            command = List.copyOf(command);
        }

        /**
         * {@code local/<program>-<hash>}: the program's file name to read, a hash of the whole command line
         * (every argument) to keep two commands apart.
         */
        @Override
        public String key() {
            String program = command.isEmpty() ? "" : command.get(0).substring(command.get(0).lastIndexOf('/') + 1);
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(String.join("\0", command).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return "local/" + program + "-" + java.util.HexFormat.of().formatHex(digest, 0, 4);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
        }
    }

    /** An HTTP readiness probe: {@code path} must answer 2xx within {@code timeout}. */
    record Readiness(String http, Duration timeout) {
    }

    /** Instances already running elsewhere; only traffic is managed. Addresses are {@code host:port}. */
    record Endpoints(List<String> stable, List<String> canary) implements Target {
        public Endpoints {
            stable = List.copyOf(stable);
            canary = List.copyOf(canary);
        }

        @Override
        public String key() {
            return "endpoints/" + String.join(",", stable);
        }
    }
}
