package io.jenkins.plugins.progressive.kubernetes.apiserver;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * What a command run in a container through {@code pods/exec} does, as a test scripts it: the test API
 * server has no containers, so a test plays the container's side (see {@link KubernetesApiServer#onExec}).
 */
@FunctionalInterface
public interface ContainerExec {

    /**
     * Runs one command.
     *
     * @param container the container asked for, or {@code ""} when the request named none
     * @param stdin     what the client writes to the command's standard input; empty when it attached none.
     *                  The exec protocol has no end-of-input signal, so read only as much as the command would
     * @return its standard output, standard error and exit status
     */
    Result run(String namespace, String pod, String container, List<String> command, InputStream stdin)
            throws IOException;

    /** The outcome the server streams back: stdout on channel 1, stderr on 2, the exit status on 3. */
    record Result(byte[] stdout, byte[] stderr, int exitCode) {
        public static Result ok(byte[] stdout) {
            return new Result(stdout, new byte[0], 0);
        }

        public static Result failed(int exitCode, String stderr) {
            return new Result(new byte[0], stderr.getBytes(java.nio.charset.StandardCharsets.UTF_8), exitCode);
        }
    }
}
