package io.jenkins.plugins.progressive.configuration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Configuration as Code example of the docs is the file ConfigurationAsCodeTest imports (with -Pjenkins). */
class ConfigurationAsCodeDocTest {

    @Test
    void theDocsShowTheYamlThatTheJenkinsTestImports() throws Exception {
        Path plugin = Path.of(System.getProperty("progressive.plugin.dir", "../jenkins-plugin"));
        String yaml = Files.readString(plugin.resolve(
                "src/test/resources/io/jenkins/plugins/progressive/configuration/configuration-as-code.yaml"));
        String doc = Files.readString(plugin.resolve("../docs/jenkins-security.md"));

        assertThat(yaml).startsWith("unclassified:\n  progressiveDelivery:\n")
                .contains("allowControllerProcesses: false", "allowedControllerPaths:",
                        "allowControllerKubernetesIdentity: false");
        assertThat(doc).contains("```yaml\n" + yaml + "```");
    }
}
