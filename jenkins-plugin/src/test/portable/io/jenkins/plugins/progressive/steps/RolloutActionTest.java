package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.export.Exported;
import org.kohsuke.stapler.export.ExportedBean;
import org.springframework.security.access.AccessDeniedException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The build page's model: what the chart and the REST API show, and who may press the buttons. */
class RolloutActionTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static Map<String, Object> measurement(String template, String verdict, String value, Instant at) {
        return Map.of("template", template, "gate", "step 2", "verdict", verdict, "value", value, "at", at.toString(),
                "message", "");
    }

    private static RolloutAction canaryAt25Then50() {
        RolloutAction action = new RolloutAction("progressive-delivery", "canaryDeploy", "shop@kubernetes/prod/shop",
                "shop", "1.4.2");
        action.progress(new RolloutDriver.Progress("PROGRESSING", 0, 25, List.of()), T0);
        action.progress(new RolloutDriver.Progress("PROGRESSING", 1, 25,
                List.of(measurement("error-rate", "SUCCESSFUL", "0.002", T0.plusSeconds(30)))), T0.plusSeconds(30));
        action.progress(new RolloutDriver.Progress("PAUSED", 2, 50,
                List.of(measurement("error-rate", "SUCCESSFUL", "0.002", T0.plusSeconds(30)),
                        measurement("error-rate", "FAILED", "0.07", T0.plusSeconds(60)))), T0.plusSeconds(60));
        return action;
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theChartDrawsTheWeightOverTimeAndOneMarkerPerMeasurementByVerdict() throws Exception {
        Document svg = parse(canaryAt25Then50().getChartSvg());

        Element weight = (Element) svg.getElementsByTagName("path").item(0);
        assertThat(weight.getAttribute("class")).isEqualTo("weight");
        // 25% from the start, 50% from the last point, as a step line to the right edge
        assertThat(weight.getAttribute("d")).startsWith("M40 137").contains("L630 137 L630 95").endsWith("L630 95");
        NodeList marks = svg.getElementsByTagName("rect");
        assertThat(marks.getLength()).isEqualTo(2);
        assertThat(((Element) marks.item(0)).getAttribute("fill")).isEqualTo("#2ca02c");
        assertThat(((Element) marks.item(1)).getAttribute("fill")).isEqualTo("#d62728");
        assertThat(marks.item(1).getTextContent()).isEqualTo("error-rate (step 2): 0.07 FAILED at 2026-11-25T10:01:00Z");
    }

    @Test
    void textFromSpecsAndMetricsIsEscapedInTheSvg() throws Exception {
        RolloutAction action = new RolloutAction("progressive-delivery", "promotionGate", "x", "x", "");
        action.progress(new RolloutDriver.Progress("PROGRESSING", 0, 0, List.of(measurement(
                "<script>alert(1)</script>", "FAILED\" onload=\"alert(2)", "a & b", T0))), T0);

        String text = action.getChartSvg();
        assertThat(text).doesNotContain("<script>").doesNotContain("\" onload=\"");
        Document svg = parse(text);
        assertThat(svg.getElementsByTagName("script").getLength()).isZero();
        Element mark = (Element) svg.getElementsByTagName("rect").item(0);
        assertThat(mark.hasAttribute("onload")).isFalse();
        assertThat(mark.getTextContent()).startsWith("<script>alert(1)</script> (step 2): a & b");
    }

    @Test
    void withNoDataTheChartSaysSo() throws Exception {
        RolloutAction action = new RolloutAction("progressive-delivery", "canaryDeploy", "k", "shop", "1.4.2");
        assertThat(parse(action.getChartSvg()).getDocumentElement().getTextContent()).contains("no data yet");
    }

    @Test
    void theOutcomeEndsTheLineAndSetsTheVerdictAndSnapshot() {
        RolloutAction action = canaryAt25Then50();
        assertThat(action.isPaused()).isTrue();

        action.finish(new RolloutDriver.Outcome("ROLLED_BACK", "FAILED", "snap-20261125", List.of(), false,
                "gate error-rate failed"), T0.plusSeconds(90));

        assertThat(action.isPaused()).isFalse();
        assertThat(action.isFinished()).isTrue();
        assertThat(action.getStatus()).isEqualTo("ROLLED_BACK");
        assertThat(action.getVerdict()).isEqualTo("FAILED");
        assertThat(action.getSnapshotId()).isEqualTo("snap-20261125");
        assertThat(action.getPoints()).extracting(RolloutAction.Point::getWeight).containsExactly(25, 25, 50, 0);
        assertThat(action.getMeasurements()).extracting(RolloutAction.Sample::getVerdict)
                .containsExactly("SUCCESSFUL", "FAILED");
    }

    @Test
    void theRestApiExportsTheSameData() {
        assertThat(RolloutAction.class.isAnnotationPresent(ExportedBean.class)).isTrue();
        assertThat(RolloutAction.Point.class.isAnnotationPresent(ExportedBean.class)).isTrue();
        assertThat(RolloutAction.Sample.class.isAnnotationPresent(ExportedBean.class)).isTrue();
        assertThat(exported(RolloutAction.class)).containsExactlyInAnyOrder("getStep", "getKey", "getName",
                "getVersion", "getPhase", "getStatus", "getVerdict", "getSnapshotId", "getReason", "isFinished",
                "isPaused", "getPoints", "getMeasurements");
        assertThat(exported(RolloutAction.Point.class)).containsExactlyInAnyOrder("getAt", "getStep", "getWeight",
                "getPhase");
        assertThat(exported(RolloutAction.Sample.class)).containsExactlyInAnyOrder("getAt", "getTemplate", "getGate",
                "getVerdict", "getValue");

        RolloutAction action = canaryAt25Then50();
        assertThat(action.getPoints()).extracting(RolloutAction.Point::getAt)
                .containsExactly(T0.toEpochMilli(), T0.plusSeconds(30).toEpochMilli(), T0.plusSeconds(60).toEpochMilli());
        assertThat(action.getMeasurements()).extracting(RolloutAction.Sample::getValue).containsExactly("0.002", "0.07");
        assertThat(action.getPhase()).isEqualTo("PAUSED");
    }

    private static List<String> exported(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Exported.class))
                .map(Method::getName).toList();
    }

    @Test
    void buttonsCheckTheirPermissionBeforeTheDriverIsCalled() throws Exception {
        FakeDriver driver = new FakeDriver(1, true, FakeDriver.succeeded());
        RolloutAction action = canaryAt25Then50();
        RolloutAction.Guard buildOnly = command -> {
            if (command != RolloutAction.Command.PROMOTE) {
                throw new AccessDeniedException("alice is missing the Job/Cancel permission");
            }
        };

        assertThatThrownBy(() -> action.abort(buildOnly, driver)).isInstanceOf(AccessDeniedException.class);
        assertThat(driver.calls).as("nothing was sent").isEmpty();

        action.promote(buildOnly, driver);
        assertThat(driver.calls).containsExactly("promote shop@kubernetes/prod/shop false");

        action.abort(command -> { }, driver);
        assertThat(driver.calls).last().isEqualTo("abort shop@kubernetes/prod/shop");
    }

    @Test
    void promoteNeedsBuildAndAbortNeedsCancel() throws Exception {
        // in the stubs both constants are null; the JenkinsRule test checks them against real users
        assertThat(RolloutAction.Command.PROMOTE.permission).isSameAs(hudson.model.Item.BUILD);
        assertThat(RolloutAction.Command.ABORT.permission).isSameAs(hudson.model.Item.CANCEL);
        assertThat(RolloutAction.class.getMethod("doPromote").isAnnotationPresent(org.kohsuke.stapler.verb.POST.class))
                .isTrue();
        assertThat(RolloutAction.class.getMethod("doAbort").isAnnotationPresent(org.kohsuke.stapler.verb.POST.class))
                .isTrue();
    }
}
