package io.jenkins.plugins.progressive.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialsTest {

    @Test
    void credentialsFromTheEnvironment() {
        Credentials env = Credentials.fromEnvironment(Map.of("PROM_TOKEN", "abc", "GRAFANA_USERNAME", "u",
                "GRAFANA_PASSWORD", "p"));
        assertThat(env.find("PROM_TOKEN")).contains(new Credentials.BearerToken("abc"));
        assertThat(env.find("GRAFANA")).contains(new Credentials.UsernamePassword("u", "p"));
        assertThat(env.find("OTHER")).isEmpty();
    }

    @Test
    void noneFindsNothing() {
        assertThat(Credentials.none().find("PROM_TOKEN")).isEmpty();
    }
}
