package io.jenkins.plugins.progressive.cli;

import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PLACEHOLDER until {@code cli.report.HtmlReport} (written on another branch) is merged: replace the body
 * of {@link #write} with {@code HtmlReport.write(state, file)} and delete the rest.
 */
final class ReportWriter {

    private ReportWriter() {
    }

    static void write(RolloutState state, Path file) throws IOException {
        StringBuilder rows = new StringBuilder();
        for (NamedMeasurement m : state.measurements()) {
            rows.append("<tr><td>").append(m.measurement().at()).append("</td><td>").append(esc(m.template()))
                    .append("</td><td>").append(esc(m.gate())).append("</td><td>").append(esc(m.measurement().value()))
                    .append("</td><td>").append(m.measurement().verdict()).append("</td></tr>\n");
        }
        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>rollout " + esc(state.name())
                + "</title></head><body><h1>" + esc(state.name()) + " " + esc(state.version()) + ": " + state.phase()
                + "</h1><p>" + esc(state.result() == null ? "" : state.result().message()) + "</p>"
                + "<table><tr><th>at</th><th>template</th><th>gate</th><th>value</th><th>verdict</th></tr>\n"
                + rows + "</table></body></html>\n";
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, html);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
