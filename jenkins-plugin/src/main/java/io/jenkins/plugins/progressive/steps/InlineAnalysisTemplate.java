package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import io.jenkins.plugins.progressive.configuration.FormAccess;
import io.jenkins.plugins.progressive.configuration.PrometheusServer;
import io.jenkins.plugins.progressive.configuration.Texts;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * One analysis template given inline, with the spec's field names: a Prometheus query judged by conditions, a
 * canary/baseline pair judged by Mann-Whitney, or a web endpoint answering JSON.
 */
public final class InlineAnalysisTemplate implements Describable<InlineAnalysisTemplate> {

    static final List<String> JUDGES = List.of("mannWhitney");
    static final List<String> DIRECTIONS = List.of("increase", "decrease", "either");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String name;
    private String prometheus = "";
    private String query = "";
    private String canaryQuery = "";
    private String baselineQuery = "";
    private String range = "";
    private String step = "";
    private String webUrl = "";
    private String jsonPath = "";
    private String successCondition = "";
    private String failureCondition = "";
    private String interval = "";
    private Integer count;
    private String initialDelay = "";
    private Integer failureLimit;
    private Integer inconclusiveLimit;
    private Integer consecutiveErrorLimit;
    private String judge = "";
    private String direction = "";
    private Double confidence;
    private Double tolerance;

    @DataBoundConstructor
    public InlineAnalysisTemplate(String name) {
        this.name = Texts.trim(name);
    }

    public String getName() {
        return name;
    }

    /**
     * Adds this template under {@code analysis.<name>}.
     *
     * @param server the Prometheus server to query, or null when none was named
     * @param addressElsewhere whether a missing server is fine (the spec file has the address, or the step's server
     *                         name was already reported as unknown)
     */
    void bind(Binding b, String path, PrometheusServer server, boolean addressElsewhere) {
        if (!NAME.matcher(name).matches()) {
            b.problem(path + ".name", "'" + name + "' is not a template name: use letters, digits, '.', '_' and '-'");
            return;
        }
        ObjectNode t = b.object("analysis", name);
        if (!webUrl.isEmpty()) {
            ObjectNode web = t.putObject("web");
            web.put("url", webUrl);
            if (!jsonPath.isEmpty()) {
                web.put("jsonPath", jsonPath);
            }
        } else {
            ObjectNode p = t.putObject("prometheus");
            if (server != null) {
                p.put("address", server.getUrl());
                if (!server.getCredentialsId().isEmpty()) {
                    p.put("credentials", server.getCredentialsId());
                }
            } else if (!addressElsewhere && prometheus.isEmpty()) {
                b.problem(path + ".prometheus", "name a configured Prometheus server, here or with the step's "
                        + "prometheus parameter");
            }
            if (judge.isEmpty()) {
                ParameterSyntax.checkQuery(query).ifPresentOrElse(e -> b.problem(path + ".query", e),
                        () -> p.put("query", query));
            } else {
                ParameterSyntax.checkQuery(canaryQuery).ifPresentOrElse(e -> b.problem(path + ".canaryQuery", e),
                        () -> p.put("canaryQuery", canaryQuery));
                ParameterSyntax.checkQuery(baselineQuery).ifPresentOrElse(
                        e -> b.problem(path + ".baselineQuery", e), () -> p.put("baselineQuery", baselineQuery));
                duration(b, p, "range", range, path);
                duration(b, p, "step", step, path);
            }
        }
        b.text(successCondition, "successCondition", "analysis", name);
        b.text(failureCondition, "failureCondition", "analysis", name);
        duration(b, t, "interval", interval, path);
        duration(b, t, "initialDelay", initialDelay, path);
        count(b, t, "count", count, 1, path);
        count(b, t, "failureLimit", failureLimit, 0, path);
        count(b, t, "inconclusiveLimit", inconclusiveLimit, 0, path);
        count(b, t, "consecutiveErrorLimit", consecutiveErrorLimit, 0, path);
        ParameterSyntax.checkOneOf(judge, JUDGES).ifPresentOrElse(e -> b.problem(path + ".judge", e),
                () -> b.text(judge, "judge", "analysis", name));
        ParameterSyntax.checkOneOf(direction, DIRECTIONS).ifPresentOrElse(e -> b.problem(path + ".direction", e),
                () -> b.text(direction, "direction", "analysis", name));
        if (confidence != null) {
            if (confidence <= 0 || confidence >= 1) {
                b.problem(path + ".confidence", confidence + " is out of range: use a number between 0 and 1, e.g. 0.98");
            } else {
                t.put("confidence", confidence);
            }
        }
        if (tolerance != null) {
            if (tolerance < 0) {
                b.problem(path + ".tolerance", tolerance + " is negative: use 0 or more, e.g. 0.25");
            } else {
                t.put("tolerance", tolerance);
            }
        }
    }

    private static void duration(Binding b, ObjectNode into, String field, String value, String path) {
        ParameterSyntax.checkDuration(value).ifPresentOrElse(e -> b.problem(path + "." + field, e), () -> {
            if (!value.isEmpty()) {
                into.put(field, value);
            }
        });
    }

    private static void count(Binding b, ObjectNode into, String field, Integer value, int min, String path) {
        if (value == null) {
            return;
        }
        if (value < min) {
            b.problem(path + "." + field, value + " is out of range: use " + min + " or more");
        } else {
            into.put(field, value);
        }
    }

    public String getPrometheus() {
        return prometheus;
    }

    @DataBoundSetter
    public void setPrometheus(String prometheus) {
        this.prometheus = Texts.trim(prometheus);
    }

    public String getQuery() {
        return query;
    }

    @DataBoundSetter
    public void setQuery(String query) {
        this.query = Texts.trim(query);
    }

    public String getCanaryQuery() {
        return canaryQuery;
    }

    @DataBoundSetter
    public void setCanaryQuery(String canaryQuery) {
        this.canaryQuery = Texts.trim(canaryQuery);
    }

    public String getBaselineQuery() {
        return baselineQuery;
    }

    @DataBoundSetter
    public void setBaselineQuery(String baselineQuery) {
        this.baselineQuery = Texts.trim(baselineQuery);
    }

    public String getRange() {
        return range;
    }

    @DataBoundSetter
    public void setRange(String range) {
        this.range = Texts.trim(range);
    }

    public String getStep() {
        return step;
    }

    @DataBoundSetter
    public void setStep(String step) {
        this.step = Texts.trim(step);
    }

    public String getWebUrl() {
        return webUrl;
    }

    @DataBoundSetter
    public void setWebUrl(String webUrl) {
        this.webUrl = Texts.trim(webUrl);
    }

    public String getJsonPath() {
        return jsonPath;
    }

    @DataBoundSetter
    public void setJsonPath(String jsonPath) {
        this.jsonPath = Texts.trim(jsonPath);
    }

    public String getSuccessCondition() {
        return successCondition;
    }

    @DataBoundSetter
    public void setSuccessCondition(String successCondition) {
        this.successCondition = Texts.trim(successCondition);
    }

    public String getFailureCondition() {
        return failureCondition;
    }

    @DataBoundSetter
    public void setFailureCondition(String failureCondition) {
        this.failureCondition = Texts.trim(failureCondition);
    }

    public String getInterval() {
        return interval;
    }

    @DataBoundSetter
    public void setInterval(String interval) {
        this.interval = Texts.trim(interval);
    }

    public Integer getCount() {
        return count;
    }

    @DataBoundSetter
    public void setCount(Integer count) {
        this.count = count;
    }

    public String getInitialDelay() {
        return initialDelay;
    }

    @DataBoundSetter
    public void setInitialDelay(String initialDelay) {
        this.initialDelay = Texts.trim(initialDelay);
    }

    public Integer getFailureLimit() {
        return failureLimit;
    }

    @DataBoundSetter
    public void setFailureLimit(Integer failureLimit) {
        this.failureLimit = failureLimit;
    }

    public Integer getInconclusiveLimit() {
        return inconclusiveLimit;
    }

    @DataBoundSetter
    public void setInconclusiveLimit(Integer inconclusiveLimit) {
        this.inconclusiveLimit = inconclusiveLimit;
    }

    public Integer getConsecutiveErrorLimit() {
        return consecutiveErrorLimit;
    }

    @DataBoundSetter
    public void setConsecutiveErrorLimit(Integer consecutiveErrorLimit) {
        this.consecutiveErrorLimit = consecutiveErrorLimit;
    }

    public String getJudge() {
        return judge;
    }

    @DataBoundSetter
    public void setJudge(String judge) {
        this.judge = Texts.trim(judge);
    }

    public String getDirection() {
        return direction;
    }

    @DataBoundSetter
    public void setDirection(String direction) {
        this.direction = Texts.trim(direction);
    }

    public Double getConfidence() {
        return confidence;
    }

    @DataBoundSetter
    public void setConfidence(Double confidence) {
        this.confidence = confidence;
    }

    public Double getTolerance() {
        return tolerance;
    }

    @DataBoundSetter
    public void setTolerance(Double tolerance) {
        this.tolerance = tolerance;
    }

    @Extension
    public static final class DescriptorImpl extends Descriptor<InlineAnalysisTemplate> {
        @Override
        public String getDisplayName() {
            return "Analysis template";
        }

        @POST
        public FormValidation doCheckQuery(@AncestorInPath Item item, @QueryParameter String value,
                @QueryParameter String webUrl, @QueryParameter String judge) {
            if (!FormAccess.mayConfigure(item) || !Texts.trim(webUrl).isEmpty() || !Texts.trim(judge).isEmpty()) {
                return FormValidation.ok();
            }
            return FormAccess.toValidation(ParameterSyntax.checkQuery(value));
        }

        @POST
        public FormValidation doCheckInterval(@AncestorInPath Item item, @QueryParameter String value) {
            return durationCheck(item, value);
        }

        @POST
        public FormValidation doCheckInitialDelay(@AncestorInPath Item item, @QueryParameter String value) {
            return durationCheck(item, value);
        }

        @POST
        public FormValidation doCheckJudge(@AncestorInPath Item item, @QueryParameter String value) {
            return FormAccess.mayConfigure(item)
                    ? FormAccess.toValidation(ParameterSyntax.checkOneOf(value, JUDGES)) : FormValidation.ok();
        }

        @POST
        public FormValidation doCheckDirection(@AncestorInPath Item item, @QueryParameter String value) {
            return FormAccess.mayConfigure(item)
                    ? FormAccess.toValidation(ParameterSyntax.checkOneOf(value, DIRECTIONS)) : FormValidation.ok();
        }

        private static FormValidation durationCheck(Item item, String value) {
            return FormAccess.mayConfigure(item)
                    ? FormAccess.toValidation(ParameterSyntax.checkDuration(value)) : FormValidation.ok();
        }
    }
}
