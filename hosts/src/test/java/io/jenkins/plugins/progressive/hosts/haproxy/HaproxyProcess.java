package io.jenkins.plugins.progressive.hosts.haproxy;

import io.jenkins.plugins.progressive.hosts.Binaries;
import io.jenkins.plugins.progressive.hosts.ExternalProcess;
import io.jenkins.plugins.progressive.hosts.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A real HAProxy on 127.0.0.1 for one test: frontend {@code shop} and {@code shop-preview} in front of two
 * empty roundrobin backends, an admin runtime socket and an operator one.
 */
final class HaproxyProcess implements AutoCloseable {

    final int port = Ports.free();
    final int previewPort = Ports.free();
    final int apiPort = Ports.free();
    final Path adminSocket;
    final Path operatorSocket;
    private final ExternalProcess process;

    HaproxyProcess(Path dir) throws IOException {
        Path haproxy = Binaries.require("haproxy", "haproxy");
        adminSocket = dir.resolve("admin.sock");
        operatorSocket = dir.resolve("operator.sock");
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, """
                global
                  stats socket %s level admin expose-fd listeners
                  stats socket %s level operator
                  stats socket ipv4@127.0.0.1:%d level admin
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 30s
                  timeout server 30s
                  retries 3
                  option redispatch 1
                frontend shop
                  bind 127.0.0.1:%d
                  default_backend shop
                frontend shop-preview
                  bind 127.0.0.1:%d
                  default_backend shop-preview
                backend shop
                  balance roundrobin
                backend shop-preview
                  balance roundrobin
                """.formatted(adminSocket, operatorSocket, apiPort, port, previewPort));
        process = ExternalProcess.start(List.of(haproxy.toString(), "-f", cfg.toString(), "-db"),
                dir.resolve("haproxy.log"), port);
        // The unix sockets are bound under a temporary name and renamed, possibly after the frontends.
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(adminSocket) && Files.exists(operatorSocket) && Ports.accepting(apiPort));
    }

    String runtimeApi() {
        return "unix:" + adminSocket;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    URI previewUri() {
        return URI.create("http://127.0.0.1:" + previewPort + "/");
    }

    String log() {
        return process.output();
    }

    @Override
    public void close() {
        process.close();
    }
}
