package io.jenkins.plugins.progressive.spec;

import static io.jenkins.plugins.progressive.spec.SpecAssertions.BASE;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.assertOnlyProblem;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.assertProblem;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.base;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.problems;
import static io.jenkins.plugins.progressive.spec.SpecAssertions.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One rule per test: the spec a user might write, and the path and words of the problem they get. */
class SpecRulesTest {

    static final String K8S = """
            name: shop
            version: "1.4.2"
            target:
              kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
            strategy:
              canary: {steps: [{setWeight: 50}]}
            """;

    static final String ENDPOINTS = """
            name: shop
            version: "1.4.2"
            target:
              endpoints: {stable: ["127.0.0.1:8081"], canary: ["127.0.0.1:8082"]}
            traffic:
              haproxy: {runtimeApi: "tcp:127.0.0.1:9999", backend: shop}
            strategy:
              canary: {steps: [{setWeight: 50}]}
            """;

    @Test
    void theBaseSpecIsValid() throws Exception {
        assertThat(yaml(BASE).name()).isEqualTo("shop");
        assertThat(yaml(K8S).name()).isEqualTo("shop");
        assertThat(yaml(ENDPOINTS).name()).isEqualTo("shop");
    }

    @Nested
    class Fields {
        @Test
        void unknownTopLevelFieldSuggestsTheClosestOne() {
            List<SpecProblem> p = problems(BASE.replace("strategy:", "stratgy:"));
            assertProblem(p, "stratgy",
                    "unknown field 'stratgy'; allowed: name, version, target, traffic, strategy, analysis,"
                            + " backgroundAnalysis, onFailure, snapshot (did you mean 'strategy'?)");
            assertProblem(p, "strategy", "is required");
            assertThat(p).hasSize(2);
        }

        @Test
        void unknownFieldsAreFoundAtEveryLevel() {
            List<SpecProblem> p = problems(K8S.replace("container: shop", "containr: shop")
                    .replace("{setWeight: 50}", "{setWeight: 50, wait: 1}"));
            assertProblem(p, "target.kubernetes.containr", "unknown field 'containr'", "(did you mean 'container'?)");
            assertProblem(p, "strategy.canary.steps[0].wait", "unknown field 'wait'; allowed: setWeight, pause, analysis");
        }

        @Test
        void unknownFieldInATemplate() {
            assertOnlyProblem(base("successCondition", "sucessCondition: \"result < 1\""),
                    "analysis.error-rate.sucessCondition", "(did you mean 'successCondition'?)");
        }

        @Test
        void missingRequiredFieldsAreEachReported() {
            List<SpecProblem> p = problems("onFailure: rollback\n");
            assertThat(p).extracting(SpecProblem::path).containsExactlyInAnyOrder("name", "version", "target", "strategy");
            assertProblem(p, "name", "is required; allowed: a DNS-1123 label");
            assertProblem(p, "target", "is required; allowed: a mapping with exactly one of kubernetes, local, endpoints");
        }

        @Test
        void anEmptyDocumentNamesTheRequiredFields() {
            assertThat(problems("")).extracting(SpecProblem::path)
                    .containsExactlyInAnyOrder("name", "version", "target", "strategy");
        }

        @Test
        void aDocumentThatIsNotAMapping() {
            assertOnlyProblem("- a\n- b\n", "", "a list is not a mapping; allowed: a mapping with name, version");
        }

        @Test
        void wrongTypes() {
            List<SpecProblem> p = problems(BASE.replace("setWeight: 10", "setWeight: ten")
                    .replace("analysis: [error-rate]", "analysis: error-rate")
                    .replace("name: shop", "name: [shop]"));
            assertProblem(p, "strategy.canary.steps[0].setWeight", "'ten' is not an integer; allowed: an integer 0..100");
            assertProblem(p, "strategy.canary.steps[2].analysis", "'error-rate' is not a list");
            assertProblem(p, "name", "a list is not a string");
        }

        @Test
        void aFractionIsNotAnInteger() {
            assertOnlyProblem(BASE.replace("setWeight: 10", "setWeight: 12.5"), "strategy.canary.steps[0].setWeight",
                    "12.5 is not an integer; allowed: an integer 0..100");
        }

        @Test
        void aVersionWrittenAsANumberKeepsItsDigits() throws Exception {
            assertThat(yaml(BASE.replace("\"1.4.2\"", "1.10")).version()).isEqualTo("1.10");
        }
    }

    @Nested
    class Names_ {
        @Test
        void nameMustBeADnsLabel() {
            assertOnlyProblem(BASE.replace("name: shop", "name: Shop_1"), "name",
                    "'Shop_1' is not valid; allowed: a DNS-1123 label");
        }

        @Test
        void nameLeavesRoomForSuffixes() throws Exception {
            assertThat(yaml(BASE.replace("name: shop", "name: " + "a".repeat(53))).name()).hasSize(53);
            assertOnlyProblem(BASE.replace("name: shop", "name: " + "a".repeat(54)), "name", "at most 53 characters");
        }

        @Test
        void versionMustNotBeEmptyOrHoldSpaces() {
            assertOnlyProblem(BASE.replace("\"1.4.2\"", "\"\""), "version", "'' is not valid; allowed: a non-empty release");
            assertOnlyProblem(BASE.replace("\"1.4.2\"", "\"1.4 beta\""), "version", "'1.4 beta' is not valid");
        }

        @Test
        void kubernetesNamesAreDns1123() {
            List<SpecProblem> p = problems(K8S.replace("namespace: prod", "namespace: Prod")
                    .replace("deployment: shop", "deployment: shop_v2"));
            assertProblem(p, "target.kubernetes.namespace", "'Prod' is not valid; allowed: a DNS-1123 label");
            assertProblem(p, "target.kubernetes.deployment", "'shop_v2' is not valid; allowed: a DNS-1123 subdomain");
        }

        @Test
        void versionBecomesTheTagOfAnUntaggedImage() {
            assertOnlyProblem(K8S.replace("\"1.4.2\"", "\"1.4.2+build.7\""), "version",
                    "'1.4.2+build.7' is not a valid image tag (the image 'registry/shop' has no tag",
                    "allowed: a valid image tag");
        }

        @Test
        void aTaggedImageIsDeployedExactlySoTheVersionNeedNotBeATag() throws Exception {
            RolloutSpec spec = yaml(K8S.replace("registry/shop}", "registry/shop:2024-05@sha256:abc}")
                    .replace("\"1.4.2\"", "\"release.2024\""));
            assertThat(((Target.Kubernetes) spec.target()).imageFor(spec.version()))
                    .isEqualTo("registry/shop:2024-05@sha256:abc");
        }

        @Test
        void theContainerDefaultsToTheDeploymentName() throws Exception {
            RolloutSpec spec = yaml(K8S.replace("container: shop, ", ""));
            assertThat(((Target.Kubernetes) spec.target()).container()).isEqualTo("shop");
        }
    }

    @Nested
    class ExactlyOne {
        @Test
        void twoTargets() {
            assertOnlyProblem(BASE.replace("target:\n", "target:\n  endpoints: {stable: [\"127.0.0.1:1\"], canary: [\"127.0.0.1:2\"]}\n"),
                    "target", "has both 'local' and 'endpoints'; allowed: exactly one of kubernetes, local, endpoints");
        }

        @Test
        void noTarget() {
            assertOnlyProblem(base("local:", "{}"), "target",
                    "has none of kubernetes, local, endpoints; allowed: exactly one of kubernetes, local, endpoints");
        }

        @Test
        void twoStrategies() {
            assertProblem(problems(BASE.replace("strategy:\n", "strategy:\n  rolling: {batches: [\"100%\"]}\n")),
                    "strategy", "has both 'canary' and 'rolling'; allowed: exactly one of canary, blueGreen, rolling");
        }

        @Test
        void noStrategy() {
            assertOnlyProblem(K8S.replace("canary: {steps: [{setWeight: 50}]}", "{}"), "strategy",
                    "has none of canary, blueGreen, rolling; allowed: exactly one of");
        }

        @Test
        void twoRouters() {
            assertOnlyProblem(ENDPOINTS.replace("traffic:\n", "traffic:\n  nginx: {upstreamFile: /tmp/u, upstream: shop}\n"),
                    "traffic", "has both 'haproxy' and 'nginx'; allowed: exactly one of replicas, haproxy, nginx,"
                            + " nginxIngress, gatewayApi, istio");
        }

        @Test
        void noRouter() {
            assertOnlyProblem(K8S + "traffic: {}\n", "traffic", "has none of replicas, haproxy, nginx, nginxIngress, gatewayApi, istio; allowed: exactly one of");
        }

        @Test
        void twoProviders() {
            assertOnlyProblem(base("prometheus:", "prometheus: {address: \"http://127.0.0.1:9090\", query: up}\n"
                    + "web: {url: \"http://127.0.0.1:8080/\"}"), "analysis.error-rate",
                    "has both 'prometheus' and 'web'; allowed: exactly one of prometheus, web");
        }

        @Test
        void noProvider() {
            assertOnlyProblem(base("prometheus:", "interval: 30s"), "analysis.error-rate",
                    "has none of prometheus, web; allowed: exactly one of prometheus, web");
        }

        @Test
        void aCanaryStepIsOneThing() {
            assertOnlyProblem(BASE.replace("- setWeight: 10", "- {setWeight: 10, pause: 1m}"),
                    "strategy.canary.steps[0]", "has both 'setWeight' and 'pause'");
        }
    }

    @Nested
    class Ranges {
        @Test
        void weightAbove100() {
            assertOnlyProblem(BASE.replace("setWeight: 10", "setWeight: 150"), "strategy.canary.steps[0].setWeight",
                    "150 is out of range; allowed: an integer 0..100");
        }

        @Test
        void weightBelow0() {
            assertOnlyProblem(BASE.replace("setWeight: 10", "setWeight: -1"), "strategy.canary.steps[0].setWeight",
                    "-1 is out of range; allowed: an integer 0..100");
        }

        @Test
        void negativeLimits() {
            List<SpecProblem> p = problems(base("successCondition", "successCondition: \"result < 1\"\n"
                    + "failureLimit: -1\ninconclusiveLimit: -2\nconsecutiveErrorLimit: -3"));
            assertProblem(p, "analysis.error-rate.failureLimit", "-1 is out of range; allowed: an integer 0..");
            assertProblem(p, "analysis.error-rate.inconclusiveLimit", "-2 is out of range");
            assertProblem(p, "analysis.error-rate.consecutiveErrorLimit", "-3 is out of range");
        }

        @Test
        void countAtLeastOne() {
            assertOnlyProblem(base("successCondition", "successCondition: \"result < 1\"\ncount: 0"),
                    "analysis.error-rate.count", "0 is out of range; allowed: an integer 1..");
        }

        @Test
        void intervalMustBePositive() {
            assertOnlyProblem(base("successCondition", "successCondition: \"result < 1\"\ninterval: 0s"),
                    "analysis.error-rate.interval", "'0s' is out of range; allowed: a positive duration");
        }

        @Test
        void malformedDurations() {
            List<SpecProblem> p = problems(BASE.replace("pause: 30s", "pause: 30 seconds")
                    + "  # \n".repeat(0));
            assertProblem(p, "strategy.canary.steps[1].pause", "'30 seconds' is not a duration; allowed: 'manual' or"
                    + " a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 2m, 1h or 1m30s");
            assertOnlyProblem(base("successCondition", "successCondition: \"result < 1\"\ninitialDelay: 5"),
                    "analysis.error-rate.initialDelay", "'5' is not a duration");
        }

        @Test
        void confidenceIsStrictlyBetween0And1() {
            String judged = JUDGED.replace("confidence: 0.98", "confidence: 1");
            assertOnlyProblem(judged, "analysis.latency.confidence",
                    "1 is out of range; allowed: a number between 0 and 1, both excluded");
            assertOnlyProblem(JUDGED.replace("confidence: 0.98", "confidence: 0"), "analysis.latency.confidence",
                    "0 is out of range");
        }

        @Test
        void toleranceIsNotNegative() {
            assertOnlyProblem(JUDGED.replace("tolerance: 0.25", "tolerance: -0.1"), "analysis.latency.tolerance",
                    "-0.1 is out of range; allowed: a number >= 0");
        }

        @Test
        void localInstancesAtLeastOne() {
            assertOnlyProblem(base("local:", "local: {command: [app], instances: 0}"), "target.local.instances",
                    "0 is out of range; allowed: an integer 1..1000");
        }
    }

    static final String JUDGED = """
            name: shop
            version: "1.4.2"
            target:
              kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
            strategy:
              canary: {steps: [{setWeight: 50}, {analysis: [latency]}]}
            analysis:
              latency:
                judge: mannWhitney
                prometheus: {address: "http://127.0.0.1:9090", canaryQuery: "a", baselineQuery: "b", range: 5m, step: 10s}
                direction: increase
                confidence: 0.98
                tolerance: 0.25
            """;

    @Nested
    class Analysis {
        @Test
        void undefinedTemplateNamesAreReportedWhereverTheyAreUsed() {
            List<SpecProblem> p = problems(BASE.replace("[error-rate]", "[error-rte]") + "backgroundAnalysis: [latency]\n");
            assertProblem(p, "strategy.canary.steps[2].analysis[0]",
                    "'error-rte' is not a defined analysis template; allowed: error-rate (did you mean 'error-rate'?)");
            assertProblem(p, "backgroundAnalysis[0]", "'latency' is not a defined analysis template");
        }

        @Test
        void undefinedTemplatesInBlueGreenAndRolling() {
            String blueGreen = K8S.replace("canary: {steps: [{setWeight: 50}]}",
                    "blueGreen: {prePromotionAnalysis: [smoke], postPromotionAnalysis: [errors]}");
            List<SpecProblem> p = problems(blueGreen);
            assertProblem(p, "strategy.blueGreen.prePromotionAnalysis[0]",
                    "'smoke' is not a defined analysis template; allowed: names defined under analysis (none is defined)");
            assertProblem(p, "strategy.blueGreen.postPromotionAnalysis[0]", "'errors' is not a defined");
            assertOnlyProblem(K8S.replace("canary: {steps: [{setWeight: 50}]}",
                    "rolling: {batches: [\"100%\"], analysis: [errors]}"), "strategy.rolling.analysis[0]",
                    "'errors' is not a defined analysis template");
        }

        @Test
        void judgeIsMannWhitney() {
            assertOnlyProblem(JUDGED.replace("judge: mannWhitney", "judge: tTest"), "analysis.latency.judge",
                    "'tTest' is not allowed; allowed: mannWhitney");
        }

        @Test
        void direction() {
            assertOnlyProblem(JUDGED.replace("direction: increase", "direction: up"), "analysis.latency.direction",
                    "'up' is not allowed; allowed: increase, decrease, either");
        }

        @Test
        void judgeDefaults() throws Exception {
            AnalysisTemplate t = yaml(JUDGED.replaceAll("(?m)^    (direction|confidence|tolerance):.*\n", ""))
                    .analysis().get("latency");
            assertThat(t.judge()).contains(new AnalysisTemplate.Judge(AnalysisTemplate.Direction.INCREASE, 0.98, 0.25));
        }

        @Test
        void judgeNeedsRangeQueries() {
            List<SpecProblem> p = problems(JUDGED.replace(
                    "canaryQuery: \"a\", baselineQuery: \"b\", range: 5m, step: 10s", "query: up"));
            assertProblem(p, "analysis.latency.prometheus.canaryQuery", "is required; allowed: a PromQL query");
            assertProblem(p, "analysis.latency.prometheus.baselineQuery", "is required");
            assertProblem(p, "analysis.latency.prometheus.range", "is required");
            assertProblem(p, "analysis.latency.prometheus.step", "is required");
            assertProblem(p, "analysis.latency.prometheus.query", "is not used with judge: mannWhitney");
        }

        @Test
        void prometheusNeedsAQueryWithoutAJudge() {
            assertOnlyProblem(base("prometheus:", "prometheus: {address: \"http://127.0.0.1:9090\"}"),
                    "analysis.error-rate.prometheus.query", "is required; allowed: a PromQL query");
        }

        @Test
        void judgeFieldsWithoutAJudge() {
            assertOnlyProblem(base("successCondition", "successCondition: \"result < 1\"\nconfidence: 0.9"),
                    "analysis.error-rate.confidence", "is only used with judge: mannWhitney");
        }

        @Test
        void prometheusAddressIsAnHttpUrl() {
            assertOnlyProblem(BASE.replace("http://127.0.0.1:9090", "127.0.0.1:9090"),
                    "analysis.error-rate.prometheus.address", "'127.0.0.1:9090' is not valid; allowed: an http:// or https:// URL");
        }

        @Test
        void onlyKnownTemplateVariables() {
            List<SpecProblem> p = problems(BASE.replace("sum(rate(errors_total[1m]))",
                    "sum(rate(errors_total{v=\\\"{{canary.version}}\\\",t=\\\"{{canary.tag}}\\\"}[1m]))"));
            assertProblem(p, "analysis.error-rate.prometheus.query", "unknown template variable '{{canary.tag}}';"
                    + " allowed: {{canary.version}}, {{stable.version}}, {{name}}, {{namespace}}");
            assertThat(p).hasSize(1);
        }

        @Test
        void spacesInsideTheBracesAreAllowedAsTheProvidersAllowThem() throws Exception {
            assertThat(yaml(BASE.replace("sum(rate(errors_total[1m]))", "errors{ns=\\\"{{ namespace }}\\\"}")).analysis())
                    .containsKey("error-rate");
        }

        @Test
        void urlsHoldNoPassword() {
            List<SpecProblem> p = problems(BASE.replace("http://127.0.0.1:9090", "http://admin:s3cret@127.0.0.1:9090"));
            assertProblem(p, "analysis.error-rate.prometheus.address", "'http://***@127.0.0.1:9090' is not valid;"
                    + " allowed: an http:// or https:// URL with a host and no user or password");
            assertThat(p.toString()).doesNotContain("s3cret");
        }

        @Test
        void templateVariablesInWebUrlsAndBodies() {
            String web = base("prometheus:", """
                    web:
                      url: "http://127.0.0.1:8080/{{app}}/health"
                      method: POST
                      body: '{"v": "{{version}}"}'
                      headers: {Authorization: "Bearer {{secret:TOKEN}}"}""");
            List<SpecProblem> p = problems(web);
            assertProblem(p, "analysis.error-rate.web.url", "unknown template variable '{{app}}'");
            assertProblem(p, "analysis.error-rate.web.body", "unknown template variable '{{version}}'");
            assertThat(p).hasSize(2);
        }

        @Test
        void headerValuesAreSingleLinesAndNeverEchoed() {
            List<SpecProblem> p = problems(base("prometheus:",
                    "web: {url: \"http://127.0.0.1:8080/\", headers: {X-Token: \"abc123\\nX-Other: 1\"}}"));
            assertProblem(p, "analysis.error-rate.web.headers.X-Token", "holds a line break; allowed: a single-line"
                    + " header value");
            assertThat(p.toString()).doesNotContain("abc123");
        }

        @Test
        void webDefaultsAndRules() throws Exception {
            AnalysisTemplate t = yaml(base("prometheus:", "web: {url: \"https://127.0.0.1:8443/status\"}"))
                    .analysis().get("error-rate");
            assertThat(t.query()).isEqualTo(new AnalysisTemplate.Web("https://127.0.0.1:8443/status", "GET",
                    java.util.Map.of(), java.util.Optional.empty(), "$", java.util.Optional.empty()));
            List<SpecProblem> p = problems(base("prometheus:",
                    "web: {url: \"ftp://127.0.0.1/x\", method: PUT, jsonPath: status, body: x}"));
            assertProblem(p, "analysis.error-rate.web.url", "'ftp://127.0.0.1/x' is not valid; allowed: an http:// or https:// URL");
            assertProblem(p, "analysis.error-rate.web.method", "'PUT' is not allowed; allowed: GET, POST");
            assertProblem(p, "analysis.error-rate.web.jsonPath", "'status' is not valid; allowed: a JSON path starting with '$'");
            assertProblem(p, "analysis.error-rate.web.body", "is only sent with method POST");
        }

        @Test
        void conditionsMustParse() {
            assertOnlyProblem(BASE.replace("successCondition: \"result < 0.01\"", "successCondition: \"  \""),
                    "analysis.error-rate.successCondition", "does not parse", "allowed: a condition over result");
        }

        /** Needs the real expression parser (the stub only rejects blank text). */
        @Test
        void anIncompleteConditionDoesNotParse() {
            assertOnlyProblem(BASE.replace("result < 0.01", "result <"), "analysis.error-rate.successCondition",
                    "'result <' does not parse");
        }

        @Test
        void templateNamesCannotHoldDots() {
            assertProblem(problems(BASE.replace("  error-rate:", "  error.rate:")), "analysis.error.rate",
                    "'error.rate' is not a valid template name");
        }

        @Test
        void analysisDefaults() throws Exception {
            AnalysisTemplate t = yaml(BASE).analysis().get("error-rate");
            assertThat(t.interval()).hasSeconds(30);
            assertThat(t.count()).isEqualTo(1);
            assertThat(t.initialDelay()).isZero();
            assertThat(t.failureLimit()).isZero();
            assertThat(t.inconclusiveLimit()).isZero();
            assertThat(t.consecutiveErrorLimit()).isEqualTo(4);
            assertThat(t.judge()).isEmpty();
            assertThat(t.failureCondition()).isEmpty();
        }
    }

    @Nested
    class Routers {
        @Test
        void haproxyNeedsLocalOrEndpoints() {
            assertOnlyProblem(K8S + "traffic: {haproxy: {runtimeApi: \"tcp:127.0.0.1:9999\", backend: shop}}\n",
                    "traffic.haproxy", "cannot split traffic for a kubernetes target (haproxy needs a local or endpoints"
                            + " target); allowed with kubernetes: replicas, nginxIngress, gatewayApi, istio");
        }

        @Test
        void nginxNeedsLocalOrEndpoints() {
            assertOnlyProblem(K8S + "traffic: {nginx: {upstreamFile: /tmp/u, upstream: shop}}\n",
                    "traffic.nginx", "(nginx needs a local or endpoints target)");
        }

        @Test
        void clusterRoutersNeedKubernetes() {
            assertOnlyProblem(BASE + "traffic: {istio: {virtualService: shop, route: primary}}\n", "traffic.istio",
                    "cannot split traffic for a local target (istio needs a kubernetes target); allowed with local:"
                            + " replicas, haproxy, nginx");
            assertOnlyProblem(BASE + "traffic: {nginxIngress: {ingress: shop}}\n", "traffic.nginxIngress",
                    "(nginxIngress needs a kubernetes target)");
            assertOnlyProblem(ENDPOINTS.replace("haproxy: {runtimeApi: \"tcp:127.0.0.1:9999\", backend: shop}",
                    "gatewayApi: {httpRoute: shop}"), "traffic.gatewayApi",
                    "cannot split traffic for an endpoints target (gatewayApi needs a kubernetes target)");
        }

        @Test
        void endpointsNeedARouter() {
            assertOnlyProblem(ENDPOINTS.replace("traffic:\n  haproxy: {runtimeApi: \"tcp:127.0.0.1:9999\", backend: shop}\n", ""),
                    "traffic", "is required for an endpoints target", "allowed: haproxy, nginx");
            assertOnlyProblem(ENDPOINTS.replace("haproxy: {runtimeApi: \"tcp:127.0.0.1:9999\", backend: shop}",
                    "replicas: {}"), "traffic.replicas", "(replicas needs a kubernetes or local target)");
        }

        @Test
        void replicasIsTheDefault() throws Exception {
            assertThat(yaml(K8S).traffic()).isEqualTo(new Traffic.Replicas());
        }

        @Test
        void haproxyRuntimeApi() {
            assertOnlyProblem(ENDPOINTS.replace("tcp:127.0.0.1:9999", "/run/haproxy.sock"), "traffic.haproxy.runtimeApi",
                    "'/run/haproxy.sock' is not valid; allowed: unix:/path/to/admin.sock, tcp:host:port or host:port");
        }

        @Test
        void nginxReloadDefault() throws Exception {
            RolloutSpec spec = yaml(BASE + "traffic: {nginx: {upstreamFile: /tmp/u, upstream: shop}}\n");
            assertThat(spec.traffic()).isEqualTo(new Traffic.Nginx("/tmp/u", "shop", List.of("nginx", "-s", "reload")));
        }

        @Test
        void endpointAddressesAreHostPort() {
            assertOnlyProblem(ENDPOINTS.replace("127.0.0.1:8082", "127.0.0.1:99999"), "target.endpoints.canary[0]",
                    "'127.0.0.1:99999' is not valid; allowed: host:port");
        }
    }

    @Nested
    class Strategies {
        static final String ROLLING = K8S.replace("canary: {steps: [{setWeight: 50}]}", "rolling: {batches: BATCHES}");

        @Test
        void batchesMustGrow() {
            assertOnlyProblem(ROLLING.replace("BATCHES", "[\"50%\", \"25%\", \"100%\"]"),
                    "strategy.rolling.batches[1]", "'25%' does not grow from the batch before it ('50%')");
        }

        @Test
        void batchesMustEndAt100Percent() {
            assertOnlyProblem(ROLLING.replace("BATCHES", "[\"25%\", \"50%\"]"), "strategy.rolling.batches[1]",
                    "'50%' is the last batch; allowed: the last batch is \"100%\"");
            assertOnlyProblem(ROLLING.replace("BATCHES", "[1, 2, 3]"), "strategy.rolling.batches[2]",
                    "'3' is the last batch");
        }

        @Test
        void batchesAreCountsThenPercentages() throws Exception {
            Strategy.Rolling r = (Strategy.Rolling) yaml(ROLLING.replace("BATCHES", "[1, 3, \"100%\"]")).strategy();
            assertThat(r.batches()).containsExactly(new Strategy.Batch(1, false), new Strategy.Batch(3, false),
                    new Strategy.Batch(100, true));
            assertThat(r.pauseBetweenBatches()).isZero();
            assertThat(r.maxUnavailable()).isZero();
            assertOnlyProblem(ROLLING.replace("BATCHES", "[\"50%\", 3, \"100%\"]"), "strategy.rolling.batches[1]",
                    "'3' is an instance count after a percentage");
        }

        @Test
        void badBatches() {
            List<SpecProblem> p = problems(ROLLING.replace("BATCHES", "[\"0%\", \"half\", 0, \"100%\"]"));
            assertProblem(p, "strategy.rolling.batches[0]", "'0%' is out of range; allowed: a percentage like \"25%\"");
            assertProblem(p, "strategy.rolling.batches[1]", "'half' is not a batch");
            assertProblem(p, "strategy.rolling.batches[2]", "0 is out of range");
            assertOnlyProblem(ROLLING.replace("BATCHES", "[]"), "strategy.rolling.batches", "is empty");
        }

        @Test
        void blueGreenDefaults() throws Exception {
            Strategy.BlueGreen b = (Strategy.BlueGreen) yaml(K8S.replace("canary: {steps: [{setWeight: 50}]}",
                    "blueGreen: {}")).strategy();
            assertThat(b.autoPromotion()).isTrue();
            assertThat(b.scaleDownDelay()).hasSeconds(30);
            assertThat(b.previewService()).isEmpty();
        }

        @Test
        void manualPause() throws Exception {
            Strategy.Canary c = (Strategy.Canary) yaml(BASE.replace("pause: 30s", "pause: manual")).strategy();
            assertThat(c.steps().get(1)).isEqualTo(new Strategy.CanaryStep.Pause(java.util.Optional.empty()));
        }

        @Test
        void canaryNeedsSteps() {
            assertOnlyProblem(K8S.replace("{steps: [{setWeight: 50}]}", "{steps: []}"), "strategy.canary.steps",
                    "is empty; allowed: a list of at least one step");
        }

        @Test
        void onFailure() throws Exception {
            assertThat(yaml(BASE).onFailure()).isEqualTo(OnFailure.ROLLBACK);
            assertThat(yaml(BASE + "onFailure: fail\n").onFailure()).isEqualTo(OnFailure.FAIL);
            assertOnlyProblem(BASE + "onFailure: retry\n", "onFailure",
                    "'retry' is not allowed; allowed: rollback, pause, fail");
        }
    }

    @Nested
    class Local {
        @Test
        void defaults() throws Exception {
            Target.Local l = (Target.Local) yaml(BASE).target();
            assertThat(l.instances()).isEqualTo(1);
            assertThat(l.readiness()).isEqualTo(new Target.Readiness("/", java.time.Duration.ofSeconds(30)));
            assertThat(l.prometheusFileSd()).isEmpty();
        }

        @Test
        void readinessPathStartsWithASlash() {
            assertOnlyProblem(base("local:", "local: {command: [app], readiness: {http: health}}"),
                    "target.local.readiness.http", "'health' is not valid; allowed: an HTTP path starting with '/'");
        }

        @Test
        void commandIsRequiredAndNotEmpty() {
            assertOnlyProblem(base("local:", "local: {instances: 2}"), "target.local.command", "is required");
            assertOnlyProblem(base("local:", "local: {command: []}"), "target.local.command", "is empty");
        }
    }

    @Nested
    class Snapshot {
        static final String S = K8S + "snapshot:\n";

        @Test
        void absentMeansDisabledPresentMeansEnabled() throws Exception {
            assertThat(yaml(K8S).snapshot()).isEqualTo(SnapshotSpec.DISABLED);
            SnapshotSpec s = yaml(S + "  include: {namespaces: [prod]}\n").snapshot();
            assertThat(s.enabled()).isTrue();
            assertThat(s.store()).isEqualTo(SnapshotSpec.DEFAULT_STORE);
            assertThat(s.includeNamespaces()).containsExactly("prod");
        }

        @Test
        void storeUri() {
            assertOnlyProblem(S + "  store: /var/snapshots\n", "snapshot.store",
                    "'/var/snapshots' is not valid; allowed: file:<directory> or s3://bucket/prefix");
            assertOnlyProblem(S + "  store: \"s3://B_ad/x\"\n", "snapshot.store", "is not valid");
        }

        @Test
        void encryptionKeyIsExactlyOneSource() {
            assertOnlyProblem(S + "  encryptionKey: {env: KEY, file: /tmp/key}\n", "snapshot.encryptionKey",
                    "has both 'env' and 'file'; allowed: exactly one of env, file");
            assertOnlyProblem(S + "  encryptionKey: {}\n", "snapshot.encryptionKey", "has none of env, file");
            assertOnlyProblem(S + "  encryptionKey: {env: 1KEY}\n", "snapshot.encryptionKey.env",
                    "'1KEY' is not valid; allowed: an environment variable name");
        }

        @Test
        void hooksAreExactlyOneOfLocalOrExec() {
            List<SpecProblem> p = problems(S + "  hooks:\n    pre:\n      - {local: [a], exec: {pod: db, command: [b]}}\n"
                    + "      - {exec: {command: [b]}}\n    restore:\n      - {}\n");
            assertProblem(p, "snapshot.hooks.pre[0]", "has both 'local' and 'exec'; allowed: exactly one of local, exec");
            assertProblem(p, "snapshot.hooks.pre[1].exec.pod", "is required");
            assertProblem(p, "snapshot.hooks.restore[0]", "has none of local, exec");
        }

        @Test
        void bothSourcesOrBothHookKindsAreStillEachChecked() {
            List<SpecProblem> p = problems(S + "  encryptionKey: {env: 1KEY, file: \"\"}\n  hooks:\n    pre:\n"
                    + "      - {local: [], exec: {pod: Bad_Pod, command: [b]}}\n");
            assertThat(p).extracting(SpecProblem::path).containsExactlyInAnyOrder("snapshot.encryptionKey",
                    "snapshot.encryptionKey.env", "snapshot.encryptionKey.file", "snapshot.hooks.pre[0]",
                    "snapshot.hooks.pre[0].local", "snapshot.hooks.pre[0].exec.pod");
            assertProblem(p, "snapshot.encryptionKey.env", "'1KEY' is not valid; allowed: an environment variable name");
            assertProblem(p, "snapshot.hooks.pre[0].exec.pod", "'Bad_Pod' is not valid");
        }

        @Test
        void excludeSecretsAndPostHooksAreReadAndWrittenBack() throws Exception {
            RolloutSpec spec = SpecReader.parse(S + "  excludeSecrets: true\n  hooks:\n    post:\n      - {local: [unfreeze]}\n",
                    SpecReader.Format.YAML, java.util.Map.of());
            assertThat(spec.snapshot().excludeSecrets()).isTrue();
            assertThat(spec.snapshot().postHooks()).containsExactly(new SnapshotSpec.Hook.Local(List.of("unfreeze")));
            assertThat(SpecReader.fromTree(SpecWriter.toTree(spec)).snapshot()).isEqualTo(spec.snapshot());
            assertOnlyProblem(S + "  excludeSecrets: maybe\n", "snapshot.excludeSecrets", "boolean");
        }
    }

    @Test
    void everyProblemIsReportedTogether() {
        String bad = """
                name: Shop
                version: ""
                target:
                  kubernetes: {namespace: prod, deployment: shop, image: registry/shop}
                traffic:
                  haproxy: {runtimeApi: "tcp:127.0.0.1:9999", backend: shop}
                strategy:
                  canary:
                    steps:
                      - setWeight: 150
                      - pause: soon
                      - analysis: [nope]
                analysis:
                  errors:
                    prometheus: {address: "http://127.0.0.1:9090", query: "x{v=\\"{{version}}\\"}"}
                    count: 0
                    interval: 1x
                onFailure: explode
                colour: blue
                """;
        List<SpecProblem> p = problems(bad);
        assertThat(p).extracting(SpecProblem::path).containsExactlyInAnyOrder(
                "colour", "name", "version", "traffic.haproxy", "strategy.canary.steps[0].setWeight",
                "strategy.canary.steps[1].pause", "strategy.canary.steps[2].analysis[0]",
                "analysis.errors.prometheus.query", "analysis.errors.count", "analysis.errors.interval", "onFailure");
        assertThat(new InvalidSpecException(p).getMessage()).contains("strategy.canary.steps[0].setWeight: 150 is out of range");
    }

    /** Two of a kind is one problem; what is wrong inside each of them is still reported beside it. */
    @Test
    void problemsInsideSeveralTargetsStrategiesAndRoutersAreReportedToo() {
        String bad = """
                name: shop
                version: "1.4.2"
                target:
                  local: {command: ["python3", "app.py"], instances: -1}
                  endpoints: {stable: ["nohost"], canary: ["127.0.0.1:8082"]}
                traffic:
                  haproxy: {runtimeApi: "nowhere", backend: shop}
                  nginx: {upstreamFile: /tmp/u, upstream: "bad name"}
                strategy:
                  canary:
                    steps:
                      - setWeight: 150
                      - pause: '2 minutes'
                      - analysis: [nope]
                      - {setWeight: 200, pause: never}
                  rolling: {batches: ["50%", "25%"], pauseBetweenBatches: soon, maxUnavailable: -1}
                """;
        List<SpecProblem> p = problems(bad);
        assertThat(p).extracting(SpecProblem::path).containsExactlyInAnyOrder(
                "target", "target.local.instances", "target.endpoints.stable[0]",
                "traffic", "traffic.haproxy.runtimeApi", "traffic.nginx.upstream",
                "strategy", "strategy.canary.steps[0].setWeight", "strategy.canary.steps[1].pause",
                "strategy.canary.steps[2].analysis[0]", "strategy.canary.steps[3]",
                "strategy.canary.steps[3].setWeight", "strategy.canary.steps[3].pause",
                "strategy.rolling.batches[1]", "strategy.rolling.pauseBetweenBatches", "strategy.rolling.maxUnavailable");
        assertProblem(p, "target", "has both 'local' and 'endpoints'; allowed: exactly one of kubernetes, local, endpoints");
        assertProblem(p, "target.local.instances", "-1 is out of range; allowed: an integer 1..1000");
        assertProblem(p, "target.endpoints.stable[0]", "'nohost' is not valid; allowed: host:port");
        assertProblem(p, "traffic", "has both 'haproxy' and 'nginx'; allowed: exactly one of replicas, haproxy, nginx,");
        assertProblem(p, "traffic.haproxy.runtimeApi", "'nowhere' is not valid; allowed: unix:/path/to/admin.sock");
        assertProblem(p, "traffic.nginx.upstream", "'bad name' is not valid; allowed: an nginx upstream name");
        assertProblem(p, "strategy", "has both 'canary' and 'rolling'; allowed: exactly one of canary, blueGreen, rolling");
        assertProblem(p, "strategy.canary.steps[0].setWeight", "150 is out of range; allowed: an integer 0..100");
        assertProblem(p, "strategy.canary.steps[1].pause", "'2 minutes' is not a duration; allowed: 'manual' or");
        assertProblem(p, "strategy.canary.steps[2].analysis[0]", "'nope' is not a defined analysis template");
        assertProblem(p, "strategy.canary.steps[3]", "has both 'setWeight' and 'pause'");
        assertProblem(p, "strategy.canary.steps[3].setWeight", "200 is out of range; allowed: an integer 0..100");
        assertProblem(p, "strategy.canary.steps[3].pause", "'never' is not a duration");
        assertProblem(p, "strategy.rolling.batches[1]", "'25%' does not grow from the batch before it ('50%')");
        assertProblem(p, "strategy.rolling.pauseBetweenBatches", "'soon' is not a duration");
        assertProblem(p, "strategy.rolling.maxUnavailable", "-1 is out of range; allowed: an integer 0..10000");
    }
}
