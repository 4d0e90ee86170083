package io.jenkins.plugins.progressive.hosts.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoServiceTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(DemoService service, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesItsVersionHealthAndMetrics() throws Exception {
        try (DemoService service = DemoService.start(0, "1.4.2", 0.2, 0)) {
            int errors = 0;
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> response = get(service, "/");
                if (response.statusCode() == 500) {
                    errors++;
                } else {
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo("version=1.4.2\n");
                }
            }
            assertThat(errors).isEqualTo(20);

            HttpResponse<String> health = get(service, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");

            String metrics = get(service, "/metrics").body();
            assertThat(metrics).contains("requests_total{version=\"1.4.2\",code=\"200\"} 80\n")
                    .contains("requests_total{version=\"1.4.2\",code=\"500\"} 20\n")
                    .contains("errors_total{version=\"1.4.2\"} 20\n")
                    .contains("# TYPE request_duration_seconds histogram")
                    .contains("request_duration_seconds_bucket{version=\"1.4.2\",le=\"+Inf\"} 100\n")
                    .contains("request_duration_seconds_count{version=\"1.4.2\"} 100\n");
        }
    }

    @Test
    void latencyIsAddedToEveryRequest() throws Exception {
        try (DemoService service = DemoService.start(0, "slow", 0, 60)) {
            get(service, "/");
            String metrics = get(service, "/metrics").body();
            assertThat(metrics).contains("request_duration_seconds_bucket{version=\"slow\",le=\"0.05\"} 0\n")
                    .contains("request_duration_seconds_bucket{version=\"slow\",le=\"0.1\"} 1\n");
        }
    }

    @Test
    void aPortInUseIsNamed() throws Exception {
        try (DemoService first = DemoService.start(0, "1", 0, 0)) {
            assertThatThrownBy(() -> DemoService.start(first.port(), "2", 0, 0)).isInstanceOf(BindException.class)
                    .hasMessage("port " + first.port() + " is already in use on 127.0.0.1");
        }
    }

    @Test
    void theCommandLineRefusesBadOptionsWithExitCode2() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classes = Path.of(DemoService.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", classes, DemoService.class.getName(), "--port",
                "80x", "--version", "1")).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output).contains("demo: --port must be a whole number, got '80x'").contains("usage: DemoService");
    }
}
