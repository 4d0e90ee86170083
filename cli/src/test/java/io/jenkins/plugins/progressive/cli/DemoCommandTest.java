package io.jenkins.plugins.progressive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/** {@code progressive demo}: the README's main command, with real HAProxy and Prometheus. */
class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void aGoodCanaryIsPromoted() {
        CliRun run = CliRun.of("demo", "canary");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("SUCCEEDED").contains("2.0.0 serves 100%")
                .contains("HAProxy serves: stable 100% / canary 0%");
        // every request of the load generator was answered while the traffic moved
        Matcher load = Pattern.compile("load through HAProxy: (\\d+) requests sent, (\\d+) failed").matcher(run.out());
        assertThat(load.find()).as(run.out()).isTrue();
        assertThat(Long.parseLong(load.group(1))).isPositive();
        assertThat(Long.parseLong(load.group(2))).as(run.out()).isZero();
    }

    @Test
    void theJsonDocumentCountsTheLoad() throws Exception {
        CliRun run = CliRun.of("demo", "rolling", "--output", "json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode doc = Rig.json(run);
        assertThat(doc.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(doc.path("load").path("sent").asLong()).isPositive();
        assertThat(doc.path("load").path("failed").asLong()).as(doc.path("load").toString()).isZero();
        assertThat(doc.path("load").path("answers").path("version=2.0.0").asLong()).isPositive();
    }

    @Test
    void aMissingProgramIsNamedWithItsDebianPackageAndExitsTwo() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path haproxy = Files.writeString(bin.resolve("haproxy"), "#!/bin/sh\n");
        haproxy.toFile().setExecutable(true);

        assertThat(demoWithout(List.of())).isEqualTo("haproxy and prometheus are not installed; the demo runs the"
                + " real programs: apt-get install haproxy prometheus");
        String onlyPrometheusMissing = demoWithout(List.of(bin));
        assertThat(onlyPrometheusMissing).isEqualTo("prometheus is not installed; the demo runs the real programs:"
                + " apt-get install haproxy prometheus");
    }

    /** Runs {@code demo} with {@code searchPath}, asserts exit 2, returns what it printed on stderr. */
    private static String demoWithout(List<Path> searchPath) {
        DemoCommand demo = new DemoCommand();
        demo.searchPath = searchPath;
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(demo);
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));

        assertThat(cli.execute("canary")).as(err.toString()).isEqualTo(2);
        return err.toString().trim();
    }

    @Test
    void aBadCanaryRollsBackByItselfWithAReport() throws Exception {
        Path report = dir.resolve("report.html");

        CliRun run = CliRun.of("demo", "canary", "--bad", "--output", "json", "--report", report.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
        JsonNode doc = Rig.json(run);
        assertThat(doc.path("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(doc.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(doc.path("routes").path("canary").asInt()).isZero();
        assertThat(run.err()).contains("HAProxy serves: stable 100% / canary 0%");
        assertThat(Files.readString(report)).contains("<html").contains("ROLLED_BACK");
        assertThat(doc.path("load").path("sent").asLong()).isPositive();
    }
}
