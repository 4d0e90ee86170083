package io.jenkins.plugins.progressive.kubernetes.apiserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl (Debian package {@code kubernetes-client}) against a test API server. */
final class Kubectl {

    private Kubectl() {
    }

    static String run(Path kubeconfig, Path cacheDir, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
            throw new AssertionError("kubectl is missing: install the Debian package kubernetes-client");
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.resolve("cache").toString(), "--request-timeout", "10s"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 30s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }
}
