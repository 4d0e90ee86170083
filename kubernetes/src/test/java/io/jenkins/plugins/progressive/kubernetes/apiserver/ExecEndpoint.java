package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pods/exec} over WebSocket with the {@code v4.channel.k8s.io} framing kube-apiserver uses: every
 * binary message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 the final Status). The command
 * itself is played by the test's {@link ContainerExec}.
 */
final class ExecEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExecEndpoint() {
    }

    static MockResponse respond(RecordedRequest request, String namespace, String pod, ContainerExec exec) {
        String full = request.getPath();
        int q = full.indexOf('?');
        List<String> command = new ArrayList<>();
        String container = "";
        boolean stdin = false;
        for (String pair : q < 0 ? new String[0] : full.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            switch (k) {
                case "command" -> command.add(v);
                case "container" -> container = v;
                case "stdin" -> stdin = v.equals("true");
                default -> {
                }
            }
        }
        if (command.isEmpty()) {
            throw ApiError.badRequest("you must specify at least 1 command");
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            throw ApiError.badRequest("Upgrade request required");
        }
        String chosenContainer = container;
        boolean attached = stdin;
        return new MockResponse().setHeader("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
                .withWebSocketUpgrade(new WebSocketListener() {
                    private final PipedOutputStream toCommand = new PipedOutputStream();
                    private PipedInputStream input;

                    @Override
                    public void onOpen(WebSocket ws, Response response) {
                        try {
                            input = new PipedInputStream(toCommand, 1 << 20);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                        InputStream in = attached ? input : InputStream.nullInputStream();
                        Thread t = new Thread(() -> run(ws, namespace, pod, chosenContainer, command, in, exec),
                                "test-apiserver-exec");
                        t.setDaemon(true);
                        t.start();
                    }

                    @Override
                    public void onMessage(WebSocket ws, byte[] bytes) {
                        if (bytes.length > 0 && bytes[0] == 0) {
                            try {
                                toCommand.write(bytes, 1, bytes.length - 1);
                                toCommand.flush();
                            } catch (IOException e) {
                                // the command finished without reading all of it, as a process may
                            }
                        }
                    }

                    @Override
                    public void onMessage(WebSocket ws, io.fabric8.mockwebserver.http.ByteString bytes) {
                        onMessage(ws, bytes.toByteArray());
                    }
                });
    }

    private static void run(WebSocket ws, String namespace, String pod, String container, List<String> command,
            InputStream stdin, ContainerExec exec) {
        ContainerExec.Result r;
        try {
            r = exec.run(namespace, pod, container, List.copyOf(command), stdin);
        } catch (IOException | RuntimeException e) {
            r = ContainerExec.Result.failed(126, String.valueOf(e.getMessage()));
        }
        send(ws, 1, r.stdout());
        send(ws, 2, r.stderr());
        ObjectNode status = JSON.createObjectNode();
        status.putObject("metadata");
        if (r.exitCode() == 0) {
            status.put("status", "Success");
        } else {
            status.put("status", "Failure").put("message", "command terminated with non-zero exit code: exit status "
                    + r.exitCode()).put("reason", "NonZeroExitCode");
            status.putObject("details").putArray("causes").addObject().put("reason", "ExitCode")
                    .put("message", Integer.toString(r.exitCode()));
        }
        send(ws, 3, status.toString().getBytes(StandardCharsets.UTF_8));
        ws.close(1000, "");
    }

    private static void send(WebSocket ws, int channel, byte[] data) {
        // kube-apiserver splits large output into frames; so does this server, to exercise reassembly.
        int chunk = 32 * 1024;
        for (int off = 0; off < data.length; off += chunk) {
            byte[] frame = new byte[1 + Math.min(chunk, data.length - off)];
            frame[0] = (byte) channel;
            System.arraycopy(data, off, frame, 1, frame.length - 1);
            ws.send(frame);
        }
        if (data.length == 0 && channel == 3) {
            ws.send(new byte[] {(byte) channel});
        }
    }
}
