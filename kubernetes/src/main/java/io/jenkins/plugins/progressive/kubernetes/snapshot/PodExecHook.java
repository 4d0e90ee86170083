package io.jenkins.plugins.progressive.kubernetes.snapshot;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.TtyExecOutputErrorable;
import io.jenkins.plugins.progressive.snapshot.PodExec;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs {@code exec} hooks in a pod of the target's namespace through the API server's exec subresource.
 * The hook's folder is a fresh {@code /tmp/progressive-hook-<random>} in the container; files move with
 * {@code find}, {@code cat}, {@code head} and {@code sh} run in the container (no tar needed on either side).
 * Files go in through standard input read with {@code head -c SIZE}: the exec protocol this client speaks
 * ({@code v4.channel.k8s.io}) cannot signal the end of standard input, so a {@code cat > file} would never end.
 */
public final class PodExecHook implements PodExec {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration HELPER_TIMEOUT = Duration.ofMinutes(2);

    private final KubernetesClient client;
    private final String namespace;

    public PodExecHook(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** What one command in the container did. */
    private record Run(int exitCode, byte[] stdout, String stderr) {
    }

    @Override
    public Result exec(SnapshotSpec.Hook.Exec hook, Phase phase, Path localDir, Duration timeout)
            throws IOException, InterruptedException {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        String remote = "/tmp/progressive-hook-" + HexFormat.of().formatHex(random);
        PodResource pod = client.pods().inNamespace(namespace).withName(hook.pod());
        ContainerResource container = hook.container().isPresent() ? pod.inContainer(hook.container().get()) : pod;
        try {
            check(run(container, null, HELPER_TIMEOUT, "mkdir", "-p", remote), "mkdir");
            if (phase == Phase.RESTORE) {
                upload(container, localDir, remote);
            }
            List<String> argv = new ArrayList<>();
            hook.command().forEach(a -> argv.add(a.replace("{{out}}", remote).replace("{{in}}", remote)));
            Run r = run(container, null, timeout, argv.toArray(String[]::new));
            if (r.exitCode() == 0 && phase != Phase.RESTORE) {
                download(container, remote, localDir);
            }
            return new Result(r.exitCode(), r.stderr());
        } finally {
            run(container, null, HELPER_TIMEOUT, "rm", "-rf", remote);
        }
    }

    private void upload(ContainerResource container, Path localDir, String remote)
            throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(localDir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String target = remote + "/" + localDir.relativize(f).toString().replace('\\', '/');
            byte[] content = Files.readAllBytes(f);
            check(run(container, content, HELPER_TIMEOUT, "sh", "-c",
                    "mkdir -p \"$(dirname \"$1\")\" && head -c \"$2\" > \"$1\"", "sh", target,
                    Integer.toString(content.length)), "copy into the pod");
        }
    }

    private void download(ContainerResource container, String remote, Path localDir)
            throws IOException, InterruptedException {
        Run list = check(run(container, null, HELPER_TIMEOUT, "find", remote, "-type", "f"), "find");
        for (String line : new String(list.stdout(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith(remote + "/")) {
                continue;
            }
            String relative = line.substring(remote.length() + 1);
            Path target = localDir.resolve(relative).normalize();
            if (!target.startsWith(localDir)) {
                throw new IOException("the pod listed a file outside the hook's folder: " + line);
            }
            Run cat = check(run(container, null, HELPER_TIMEOUT, "cat", line), "copy out of the pod");
            Files.createDirectories(target.getParent());
            Files.write(target, cat.stdout());
        }
    }

    private static Run check(Run r, String what) throws IOException {
        if (r.exitCode() != 0) {
            String err = r.stderr().strip();
            // a helper's error is short; anything longer is not worth carrying into a message
            throw new IOException(what + " in the pod exited with " + r.exitCode()
                    + (err.isEmpty() ? "" : ": " + (err.length() > 200 ? "…" + err.substring(err.length() - 200) : err)));
        }
        return r;
    }

    private Run run(ContainerResource container, byte[] stdin, Duration timeout, String... argv)
            throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        TtyExecOutputErrorable base = stdin != null ? container.redirectingInput() : container;
        try (ExecWatch watch = base.writingOutput(out).writingError(err).exec(argv)) {
            if (stdin != null) {
                try (OutputStream in = watch.getInput()) {
                    in.write(stdin);
                }
            }
            int code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            throw new IOException("'" + argv[0] + "' in pod " + namespace + " did not finish within " + timeout);
        } catch (ExecutionException e) {
            throw new IOException("'" + argv[0] + "' in pod " + namespace + ": " + e.getCause().getMessage());
        } catch (KubernetesClientException e) {
            throw new IOException("cannot exec in pod (namespace " + namespace + "): " + e.getMessage());
        }
    }
}
