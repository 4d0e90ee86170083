package io.jenkins.plugins.progressive.metrics;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusServerTest {

    @Test
    void aMissingBinaryFailsNamingTheDebianPackage() {
        assertThatThrownBy(() -> PrometheusServer.start(Path.of("/nonexistent/prometheus"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Prometheus is not installed (/nonexistent/prometheus is missing): install the Debian"
                        + " package 'prometheus' (apt-get install -y prometheus)");
    }
}
