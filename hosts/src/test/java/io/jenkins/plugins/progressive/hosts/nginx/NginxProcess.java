package io.jenkins.plugins.progressive.hosts.nginx;

import static org.awaitility.Awaitility.await;

import io.jenkins.plugins.progressive.hosts.Binaries;
import io.jenkins.plugins.progressive.hosts.ExternalProcess;
import io.jenkins.plugins.progressive.hosts.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A real nginx on 127.0.0.1 for one test: its own prefix, one worker (smooth weighted round robin is per
 * worker), {@code shop} and {@code shop-preview} upstreams included from files the router owns.
 */
public final class NginxProcess implements AutoCloseable {

    public final int port = Ports.free();
    public final int previewPort = Ports.free();
    public final Path upstreamFile;
    public final List<String> reloadCommand;
    private final ExternalProcess process;

    /** Starts nginx with upstream files that initially hold {@code initialServer}. */
    public NginxProcess(Path dir, String initialServer) throws IOException {
        Path nginx = Binaries.require("nginx", "nginx-light");
        upstreamFile = dir.resolve("shop.upstream");
        Files.writeString(upstreamFile, "upstream shop {\n    server " + initialServer + "; # stable\n}\n");
        Files.writeString(dir.resolve("shop-preview.upstream"), "upstream shop-preview {\n    server 127.0.0.1:1 down;\n}\n");
        Files.createDirectories(dir.resolve("tmp"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log notice;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/tmp/body;
                  proxy_temp_path %1$s/tmp/proxy;
                  include %1$s/shop.upstream;
                  include %1$s/shop-preview.upstream;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / { proxy_pass http://shop; }
                  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / { proxy_pass http://shop-preview; }
                  }
                }
                """.formatted(dir, port, previewPort));
        List<String> base = List.of(nginx.toString(), "-p", dir.toString(), "-c", conf.toString(), "-e",
                dir.resolve("error.log").toString());
        reloadCommand = concat(base, List.of("-s", "reload"));
        process = ExternalProcess.start(base, dir.resolve("nginx.out"), port);
        await().atMost(Duration.ofSeconds(10)).until(() -> workers().size() == 1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** The worker processes' pids; a reload replaces them. */
    public Set<Long> workers() {
        return ProcessHandle.of(process.pid()).map(p -> p.children().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toSet())).orElse(Set.of());
    }

    /** Waits until the workers that served before a reload are gone and a new one serves alone. */
    public void awaitReloaded(Set<Long> before) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Set<Long> now = workers();
            return now.size() == 1 && now.stream().noneMatch(before::contains);
        });
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public URI previewUri() {
        return URI.create("http://127.0.0.1:" + previewPort + "/");
    }

    @Override
    public void close() {
        process.close();
    }
}
