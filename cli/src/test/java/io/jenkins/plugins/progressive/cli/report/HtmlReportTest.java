package io.jenkins.plugins.progressive.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.rollout.NamedMeasurement;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.RolloutState;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class HtmlReportTest {

    static Rollouts succeeded;
    static Rollouts rolledBack;

    @BeforeAll
    static void runRollouts() {
        succeeded = Rollouts.succeeding();
        rolledBack = Rollouts.rolledBack();
    }

    @Test
    void aSucceededCanaryIsReportedWithItsWeightsMeasurementsAndStatus() throws Exception {
        RolloutState state = succeeded.state();
        assertThat(state.phase()).isEqualTo(Phase.SUCCEEDED);
        Document doc = parse(HtmlReport.render(state));

        assertThat(text(doc, "//h:h1")).contains("shop").contains("1.4.2");
        assertThat(text(doc, "//h:header")).contains("replacing stable 1.4.1").contains("canary strategy")
                .contains("SUCCEEDED").contains("0 — succeeded").contains("stable 100% / canary 0%");
        assertThat(attr(doc, "//h:p[@class='badges']/h:span[1]", "class")).isEqualTo("badge ok");

        // 25 → 50 → 75, promotion puts 100% on the full-size canary, then the new stable takes it all back.
        assertThat(weightsDrawn(doc)).containsExactly(25, 50, 75, 100, 0);
        assertStepLineVisitsEveryChange(doc, state);

        List<NamedMeasurement> ms = state.measurements();
        assertThat(ms).extracting(m -> m.measurement().verdict()).contains(Verdict.SUCCESSFUL, Verdict.ERROR);
        assertMeasurementTableAndPoints(doc, ms);
        // The end is marked once on each chart: the weight chart and one per template.
        assertThat(nodes(doc, "//svg:g[contains(@class,'marker')]/svg:text")).extracting(Node::getTextContent)
                .containsExactly("succeeded", "succeeded", "succeeded");
    }

    @Test
    void aRolledBackCanaryShowsTheFailureAndTheRollbackOnTheCharts() throws Exception {
        RolloutState state = rolledBack.state();
        assertThat(state.phase()).isEqualTo(Phase.ROLLED_BACK);
        Document doc = parse(HtmlReport.render(state));

        assertThat(text(doc, "//h:header")).contains("ROLLED_BACK").contains("verdict FAILED")
                .contains("3 — failed and rolled back").contains("stable 100% / canary 0%");
        assertThat(attr(doc, "//h:p[@class='badges']/h:span[1]", "class")).isEqualTo("badge bad");
        assertThat(weightsDrawn(doc)).containsExactly(25, 0);
        assertStepLineVisitsEveryChange(doc, state);

        assertThat(state.measurements()).extracting(m -> m.measurement().verdict())
                .contains(Verdict.SUCCESSFUL, Verdict.INCONCLUSIVE, Verdict.FAILED);
        assertMeasurementTableAndPoints(doc, state.measurements());

        // The failure and the end of the rollback are marked on the weight chart and on every template's chart.
        int charts = nodes(doc, "//svg:svg").size();
        assertThat(charts).isEqualTo(3);
        List<String> labels = nodes(doc, "//svg:g[contains(@class,'marker')]/svg:text").stream()
                .map(Node::getTextContent).toList();
        assertThat(labels).containsOnly("failed", "rolled back").hasSize(2 * charts);
        assertThat(nodes(doc, "//h:tr[@class='bad']/h:td[5]")).extracting(Node::getTextContent)
                .anySatisfy(t -> assertThat(t).startsWith("failed: "))
                .anySatisfy(t -> assertThat(t).startsWith("ROLLED_BACK: "));
    }

    @Test
    void anAbortIsMarkedAndExplained() throws Exception {
        RolloutState state = Rollouts.aborted().state();
        assertThat(state.phase()).isEqualTo(Phase.ABORTED);
        Document doc = parse(HtmlReport.render(state));
        assertThat(attr(doc, "//h:p[@class='badges']/h:span[1]", "class")).isEqualTo("badge warn");
        assertThat(text(doc, "//h:header")).contains("5 — aborted by request")
                .contains("latency looks wrong on the dashboard");
        assertThat(nodes(doc, "//svg:g[contains(@class,'marker')]/svg:text")).extracting(Node::getTextContent)
                .containsExactly("aborted → rollback", "aborted");
        assertThat(weightsDrawn(doc)).containsExactly(25, 0);
        assertThat(text(doc, "//h:section[h:h2='Analysis']")).contains("No measurements were taken.");
    }

    @Test
    void aRollbackThatCouldNotMoveTheTrafficSaysItNeedsAPerson() throws Exception {
        RolloutState state = Rollouts.needsPerson().state();
        assertThat(state.phase()).isEqualTo(Phase.FAILED_NEEDS_PERSON);
        Document doc = parse(HtmlReport.render(state));
        assertThat(text(doc, "//h:header")).contains("FAILED_NEEDS_PERSON")
                .contains("4 — failed and could not be fully rolled back: needs a person")
                .contains("rollback error").contains("simulated setRoutes failure");
        assertThat(nodes(doc, "//svg:g[contains(@class,'marker')]/svg:text")).extracting(Node::getTextContent)
                .contains("failed", "needs a person");
        // The canary still has its traffic: the chart does not pretend otherwise.
        assertThat(weightsDrawn(doc)).containsExactly(25);
    }

    @Test
    void blueGreenAndFirstReleasesRenderToo() throws Exception {
        RolloutState bg = Rollouts.blueGreen().state();
        assertThat(bg.phase()).isEqualTo(Phase.SUCCEEDED);
        Document doc = parse(HtmlReport.render(bg));
        assertThat(text(doc, "//h:header")).contains("blueGreen strategy");
        assertThat(weightsDrawn(doc)).containsSubsequence(100);
        assertMeasurementTableAndPoints(doc, bg.measurements());
        assertThat(bg.measurements()).extracting(NamedMeasurement::gate).contains("pre", "post");

        RolloutState first = Rollouts.firstRelease().state();
        assertThat(first.phase()).isEqualTo(Phase.SUCCEEDED);
        Document firstDoc = parse(HtmlReport.render(first));
        assertThat(text(firstDoc, "//h:header")).contains("first release (nothing stable before)");
        assertStepLineVisitsEveryChange(firstDoc, first);
    }

    @Test
    void everyChartHasTimeLabelsOnItsAxis() throws Exception {
        Document doc = parse(HtmlReport.render(succeeded.state()));
        for (Node svg : nodes(doc, "//svg:svg")) {
            List<String> ticks = new ArrayList<>();
            NodeList texts = ((Element) svg).getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
            for (int i = 0; i < texts.getLength(); i++) {
                if ("xlabel".equals(((Element) texts.item(i)).getAttribute("class"))) {
                    ticks.add(texts.item(i).getTextContent());
                }
            }
            assertThat(ticks).hasSizeBetween(3, 8).allMatch(t -> t.matches("\\d\\d:\\d\\d:\\d\\d"));
            assertThat(ticks).isSorted();
        }
    }

    @Test
    void markupInVersionsNamesAndMessagesIsEscaped() throws Exception {
        String markup = "<script>alert(1)</script>";
        RolloutState state = Rollouts.hostile(markup).state();
        assertThat(state.measurements()).anySatisfy(m -> assertThat(m.measurement().message()).contains(markup));

        String html = HtmlReport.render(state);
        assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        Document doc = parse(html);
        assertThat(nodes(doc, "//h:script | //svg:script")).isEmpty();
        // The text survives, as text.
        assertThat(text(doc, "//h:h1")).contains(markup);
        assertThat(text(doc, "//h:section[h:h2='Measurements']//h:tbody")).contains(markup);
    }

    @Test
    void aLiveRolloutIsReportedWithWhatItHasSoFar() throws Exception {
        RolloutState state = Rollouts.live().state();
        assertThat(state.result()).isNull();
        Document doc = parse(HtmlReport.render(state));
        assertThat(text(doc, "//h:header")).contains("PROGRESSING").contains("(live)")
                .contains("routes last set").contains("stable 75% / canary 25%");
        assertThat(weightsDrawn(doc)).containsExactly(25);
    }

    @Test
    void escapingKeepsTheDocumentWellFormedForAnyCharacter() throws Exception {
        String nasty = "a&b \"q\" 'x' <i> \u0000\u0007\u001b[31m \uD800 \uD83D\uDE80 ]]> --> ✓";
        String escaped = HtmlReport.esc(nasty);
        Document doc = parse("<p xmlns=\"http://www.w3.org/1999/xhtml\" title=\"" + escaped + "\">" + escaped + "</p>");
        assertThat(doc.getDocumentElement().getTextContent()).contains("a&b \"q\" 'x' <i>").contains("\uD83D\uDE80")
                .contains("✓").doesNotContain("\u001b").doesNotContain("\u0000");
        assertThat(doc.getDocumentElement().getAttribute("title")).isEqualTo(doc.getDocumentElement().getTextContent());
    }

    @Test
    void writeLeavesOneSelfContainedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("reports/shop.html");
        HtmlReport.write(rolledBack.state(), file);
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(html).isEqualTo(HtmlReport.render(rolledBack.state()));
        // Nothing to fetch: no scripts, no links, no external images or fonts.
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("src=")
                .doesNotContain("href=").doesNotContain("url(").doesNotContain("@import");
        // Reports of both runs are kept for a person to look at (target/ of the cli module).
        Path out = Path.of("target", "report-examples");
        HtmlReport.write(succeeded.state(), out.resolve("succeeded.html"));
        HtmlReport.write(rolledBack.state(), out.resolve("rolled-back.html"));
        HtmlReport.write(Rollouts.needsPerson().state(), out.resolve("needs-person.html"));
        HtmlReport.write(Rollouts.blueGreen().state(), out.resolve("blue-green.html"));
        assertThat(out.resolve("succeeded.html")).isNotEmptyFile();
    }

    @Test
    void scalesRoundTheirTicksAndNeverCollapse() {
        assertThat(HtmlReport.niceScale(0.002, 0.005)).containsExactly(new double[] {0.001, 0.006, 0.001}, within(1e-12));
        assertThat(HtmlReport.niceScale(180, 215)).containsExactly(new double[] {170, 220, 10}, within(1e-9));
        assertThat(HtmlReport.niceScale(0, 0.08)).containsExactly(new double[] {0, 0.1, 0.025}, within(1e-12));
        double[] flat = HtmlReport.niceScale(0.5, 0.5);
        assertThat(flat[0]).isLessThan(0.5).isGreaterThanOrEqualTo(0);
        assertThat(flat[1]).isGreaterThan(0.5);
        assertThat(HtmlReport.niceScale(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).containsExactly(0, 1, 0.25);
        assertThat(HtmlReport.tickStep(4 * 60_000)).isEqualTo(60_000);
        assertThat(HtmlReport.tickStep(30_000)).isEqualTo(5_000);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static void assertStepLineVisitsEveryChange(Document doc, RolloutState state) throws Exception {
        List<HtmlReport.WeightChange> changes = HtmlReport.weightChanges(state);
        List<Node> circles = nodes(doc, "//svg:circle[@class='weight-change']");
        assertThat(circles).hasSize(changes.size());
        String points = attr(doc, "//svg:polyline[@class='weight']", "points");
        List<String> vertices = List.of(points.trim().split("\\s+"));
        // start, two corners per change, end
        assertThat(vertices).hasSize(2 + 2 * changes.size());
        for (Node c : circles) {
            Element e = (Element) c;
            assertThat(vertices).contains(e.getAttribute("cx") + "," + e.getAttribute("cy"));
        }
        // Later changes are further right.
        List<Double> xs = circles.stream().map(c -> Double.parseDouble(((Element) c).getAttribute("cx"))).toList();
        assertThat(xs).isSorted();
    }

    private static List<Integer> weightsDrawn(Document doc) throws Exception {
        return nodes(doc, "//svg:circle[@class='weight-change']/svg:title").stream()
                .map(t -> Integer.parseInt(t.getTextContent().replaceAll(".*canary (\\d+)%.*", "$1"))).toList();
    }

    private static void assertMeasurementTableAndPoints(Document doc, List<NamedMeasurement> ms) throws Exception {
        List<Node> rows = nodes(doc, "//h:section[h:h2='Measurements']//h:tbody/h:tr");
        assertThat(rows).hasSize(ms.size());
        for (int i = 0; i < ms.size(); i++) {
            NamedMeasurement m = ms.get(i);
            NodeList cells = ((Element) rows.get(i)).getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "td");
            assertThat(cells.item(2).getTextContent()).isEqualTo(m.template());
            assertThat(cells.item(3).getTextContent()).isEqualTo(m.gate());
            assertThat(cells.item(4).getTextContent()).isEqualTo(m.measurement().value() == null ? ""
                    : m.measurement().value());
            assertThat(cells.item(5).getTextContent()).isEqualTo(m.measurement().verdict().name());
        }
        // One point per measurement, on its template's chart, coloured by its verdict.
        for (String template : ms.stream().map(NamedMeasurement::template).distinct().toList()) {
            List<Node> points = nodes(doc, "//h:h3[.='" + template + "']/following-sibling::svg:svg[1]/*[contains(@class,'m ')]");
            List<NamedMeasurement> own = ms.stream().filter(m -> m.template().equals(template)).toList();
            assertThat(points).hasSize(own.size());
            for (int i = 0; i < own.size(); i++) {
                assertThat(((Element) points.get(i)).getAttribute("class"))
                        .endsWith(" " + HtmlReport.verdictCss(own.get(i).measurement().verdict()));
            }
        }
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static XPath xpath() {
        XPath x = XPathFactory.newInstance().newXPath();
        x.setNamespaceContext(new javax.xml.namespace.NamespaceContext() {
            @Override
            public String getNamespaceURI(String prefix) {
                return switch (prefix) {
                    case "h" -> "http://www.w3.org/1999/xhtml";
                    case "svg" -> "http://www.w3.org/2000/svg";
                    default -> XMLConstants.NULL_NS_URI;
                };
            }

            @Override
            public String getPrefix(String uri) {
                return null;
            }

            @Override
            public java.util.Iterator<String> getPrefixes(String uri) {
                return null;
            }
        });
        return x;
    }

    static List<Node> nodes(Document doc, String expr) throws Exception {
        NodeList list = (NodeList) xpath().evaluate(expr, doc, XPathConstants.NODESET);
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            out.add(list.item(i));
        }
        return out;
    }

    static String text(Document doc, String expr) throws Exception {
        List<Node> n = nodes(doc, expr);
        assertThat(n).as(expr).isNotEmpty();
        return n.get(0).getTextContent().replaceAll("\\s+", " ");
    }

    static String attr(Document doc, String expr, String name) throws Exception {
        List<Node> n = nodes(doc, expr);
        assertThat(n).as(expr).isNotEmpty();
        return ((Element) n.get(0)).getAttribute(name);
    }
}
