package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.AbortException;
import io.jenkins.plugins.progressive.spec.OnFailure;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.Strategy;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Step parameters become the spec's tree, field for field, or every problem at once. */
class StepBindingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeServers servers = new FakeServers();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static JsonNode tree(Plan plan) throws Exception {
        return JSON.readTree(plan.tree);
    }

    private static <S extends TargetedStep> S kubernetes(S step) {
        step.setName("shop");
        step.setVersion("1.4.2");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        return step;
    }

    private static InlineAnalysisTemplate errorRate() {
        InlineAnalysisTemplate t = new InlineAnalysisTemplate("error-rate");
        t.setQuery("sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))");
        t.setSuccessCondition("result < 0.01");
        t.setFailureCondition("result >= 0.05");
        t.setInterval("30s");
        t.setCount(5);
        return t;
    }

    @Test
    void canaryDeployBindsEveryParameterToTheSpecsFieldNames() throws Exception {
        CanaryDeployStep step = kubernetes(new CanaryDeployStep());
        step.setContainer("web");
        step.setSteps("5, pause:2m, analysis:error-rate, 50, pause:manual");
        step.setPrometheus("main");
        step.setAnalysis(List.of(errorRate()));
        step.setIngress("shop");
        step.setBackgroundAnalysis("error-rate");
        step.setOnFailure("pause");
        step.setSnapshotStore("file:.progressive/snapshots");
        step.setEncryptionKeyCredentialsId("snapshot-key");
        step.setCluster("prod");

        Plan plan = SpecBinding.plan(step, servers);

        assertThat(tree(plan)).isEqualTo(json("""
                {'name':'shop','version':'1.4.2',
                 'target':{'kubernetes':{'namespace':'prod','deployment':'shop','container':'web','image':'registry/shop'}},
                 'analysis':{'error-rate':{'prometheus':{'address':'http://prometheus.monitoring:9090','credentials':'prom-token',
                      'query':'sum(rate(errors_total[1m])) / sum(rate(requests_total[1m]))'},
                    'successCondition':'result < 0.01','failureCondition':'result >= 0.05','interval':'30s','count':5}},
                 'traffic':{'nginxIngress':{'ingress':'shop'}},
                 'backgroundAnalysis':['error-rate'],'onFailure':'pause',
                 'snapshot':{'enabled':true,'store':'file:.progressive/snapshots'},
                 'strategy':{'canary':{'steps':[{'setWeight':5},{'pause':'2m'},{'analysis':['error-rate']},
                                                {'setWeight':50},{'pause':'manual'}]}}}
                """));
        assertThat(plan.operation).isEqualTo(RolloutDriver.Operation.ROLLOUT);
        assertThat(plan.options).containsEntry("encryptionKeyCredentialsId", "snapshot-key");
        assertThat(plan.cluster.name()).isEqualTo("prod");
        assertThat(plan.cluster.credentialsId()).isEqualTo("prod-token");

        RolloutSpec spec = SpecBinding.resolve(plan, null);
        assertThat(spec.target()).isEqualTo(new Target.Kubernetes("prod", "shop", "web", "registry/shop"));
        assertThat(spec.traffic()).isEqualTo(new Traffic.NginxIngress("shop"));
        assertThat(spec.onFailure()).isEqualTo(OnFailure.PAUSE);
        assertThat(((Strategy.Canary) spec.strategy()).steps()).containsExactly(
                new Strategy.CanaryStep.SetWeight(5), new Strategy.CanaryStep.Pause(Optional.of(Duration.ofMinutes(2))),
                new Strategy.CanaryStep.Analysis(List.of("error-rate")), new Strategy.CanaryStep.SetWeight(50),
                new Strategy.CanaryStep.Pause(Optional.empty()));
    }

    @Test
    void blueGreenSwitchBindsItsStrategy() throws Exception {
        BlueGreenSwitchStep step = kubernetes(new BlueGreenSwitchStep());
        step.setPreviewService("shop-preview");
        step.setPrePromotionAnalysis("smoke");
        step.setPostPromotionAnalysis("error-rate");
        step.setAutoPromotion(false);
        step.setScaleDownDelay("30s");
        step.setIngress("shop");
        InlineAnalysisTemplate smoke = new InlineAnalysisTemplate("smoke");
        smoke.setWebUrl("http://127.0.0.1:8080/health");
        smoke.setJsonPath("$.status");
        smoke.setSuccessCondition("result == \"ok\"");
        step.setPrometheus("main");
        step.setAnalysis(List.of(smoke, errorRate()));

        JsonNode tree = tree(SpecBinding.plan(step, servers));

        assertThat(tree.path("strategy")).isEqualTo(json("""
                {'blueGreen':{'previewService':'shop-preview','prePromotionAnalysis':['smoke'],
                  'postPromotionAnalysis':['error-rate'],'autoPromotion':false,'scaleDownDelay':'30s'}}"""));
        assertThat(tree.path("traffic")).isEqualTo(json("{'nginxIngress':{'ingress':'shop'}}"));
        assertThat(tree.path("analysis").path("smoke").path("web"))
                .isEqualTo(json("{'url':'http://127.0.0.1:8080/health','jsonPath':'$.status'}"));
        assertThat(tree.path("analysis").path("smoke").path("successCondition").asText()).isEqualTo("result == \"ok\"");
    }

    @Test
    void rollingUpdateBindsBatchesAndALocalTarget() throws Exception {
        RollingUpdateStep step = new RollingUpdateStep();
        step.setName("shop");
        step.setVersion("2.0.0");
        step.setCommand("python3 app.py --port {port} --version {version} --labels a,b");
        step.setInstances(3);
        step.setBatches("25%, 50%, 100%");
        step.setPauseBetweenBatches("1m");
        step.setBatchAnalysis("error-rate");
        step.setMaxUnavailable(0);
        step.setNginxUpstreamFile("/etc/nginx/conf.d/shop.upstream");
        step.setNginxUpstream("shop");
        step.setNginxReloadCommand("nginx -s reload");
        step.setPrometheus("main");
        step.setAnalysis(List.of(errorRate()));

        JsonNode tree = tree(SpecBinding.plan(step, servers));

        assertThat(tree.path("target")).isEqualTo(json("""
                {'local':{'command':['python3','app.py','--port','{port}','--version','{version}','--labels','a,b'],'instances':3}}"""));
        assertThat(tree.path("strategy")).isEqualTo(json("""
                {'rolling':{'batches':['25%','50%','100%'],'pauseBetweenBatches':'1m','analysis':['error-rate'],
                 'maxUnavailable':0}}"""));
        assertThat(tree.path("traffic")).isEqualTo(json("""
                {'nginx':{'upstreamFile':'/etc/nginx/conf.d/shop.upstream','upstream':'shop',
                 'reloadCommand':['nginx','-s','reload']}}"""));
    }

    @Test
    void snapshotAndRestoreBindTheSnapshotFieldsAndOptions() throws Exception {
        SnapshotStateStep snapshot = new SnapshotStateStep();
        snapshot.setName("shop");
        snapshot.setCluster("prod");
        snapshot.setDeployment("shop");
        // the spec reader checks the whole target, also for snapshots
        snapshot.setImage("registry/shop");
        snapshot.setStore("s3://backups/shop?endpoint=http://127.0.0.1:9000&region=us-east-1");
        snapshot.setIncludeNamespaces("prod, shared");
        snapshot.setIncludeKinds("deployments,services,configmaps,secrets");
        snapshot.setLabelSelector("app=shop");
        snapshot.setExcludeKinds("events");
        snapshot.setEncryptionKeyCredentialsId("snapshot-key");

        Plan plan = SpecBinding.plan(snapshot, servers);

        assertThat(plan.operation).isEqualTo(RolloutDriver.Operation.SNAPSHOT);
        assertThat(tree(plan)).isEqualTo(json("""
                {'name':'shop','target':{'kubernetes':{'namespace':'shop-prod','deployment':'shop','image':'registry/shop'}},
                 'snapshot':{'enabled':true,'store':'s3://backups/shop?endpoint=http://127.0.0.1:9000&region=us-east-1',
                   'include':{'namespaces':['prod','shared'],'kinds':['deployments','services','configmaps','secrets'],
                              'labelSelector':'app=shop'},
                   'exclude':{'kinds':['events']}}}"""));
        assertThat(plan.options).containsEntry("encryptionKeyCredentialsId", "snapshot-key");

        RestoreStateStep restore = kubernetes(new RestoreStateStep());
        restore.setSnapshotId("20261125-1702-shop");
        restore.setMapNamespace("prod=standby");
        restore.setExisting("update");
        restore.setDryRun(true);
        Plan restorePlan = SpecBinding.plan(restore, servers);
        assertThat(restorePlan.operation).isEqualTo(RolloutDriver.Operation.RESTORE);
        assertThat(restorePlan.options).containsEntry("snapshotId", "20261125-1702-shop")
                .containsEntry("mapNamespace", "prod=standby").containsEntry("existing", "update")
                .containsEntry("dryRun", "true");
    }

    @Test
    void promotionGateNamesItsTemplates() throws Exception {
        PromotionGateStep gate = kubernetes(new PromotionGateStep());
        gate.setTemplates("error-rate");
        gate.setPrometheus("main");
        gate.setAnalysis(List.of(errorRate()));
        Plan plan = SpecBinding.plan(gate, servers);
        assertThat(plan.operation).isEqualTo(RolloutDriver.Operation.GATE);
        assertThat(plan.options).containsEntry("templates", "error-rate");
        assertThat(tree(plan).path("strategy").isMissingNode()).isTrue();
    }

    @Test
    void commandStepsNameTheRolloutByItsNameOrLockKey() throws Exception {
        AbortRolloutStep abort = new AbortRolloutStep();
        abort.setName("shop");
        assertThat(abort.key()).isEqualTo("shop");
        abort.setNamespace("prod");
        abort.setDeployment("shop");
        RolloutSpec spec = SpecBinding.resolve(SpecBinding.plan(withSteps(kubernetes(new CanaryDeployStep())),
                servers), null);
        assertThat(abort.key()).as("the same key the rollout locks").isEqualTo(spec.lockKey());

        RollbackRolloutStep rollback = new RollbackRolloutStep();
        rollback.setNamespace("prod");
        assertThatThrownBy(rollback::key).isInstanceOf(AbortException.class).hasMessage("""
                rollbackRollout: 2 problems, nothing was changed:
                  - name: is required: the name of the rollout (the spec's name)
                  - deployment: give namespace and deployment together, or neither""");
    }

    private static CanaryDeployStep withSteps(CanaryDeployStep step) {
        step.setSteps("10,pause:1m");
        return step;
    }

    @Test
    void parametersOverrideTheSpecFileFieldByField() throws Exception {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setSpec("deploy/shop.yaml");
        step.setVersion("1.4.3");
        step.setImage("registry/shop-next");
        Plan plan = SpecBinding.plan(step, servers);

        String file = """
                name: shop
                version: "1.4.2"
                target:
                  kubernetes: {namespace: prod, deployment: shop, container: shop, image: registry/shop}
                strategy:
                  canary:
                    steps: [{setWeight: 20}, {pause: 1m}]
                """;
        JsonNode merged = SpecBinding.tree(plan, file);
        assertThat(merged.path("version").asText()).isEqualTo("1.4.3");
        assertThat(merged.path("target")).isEqualTo(json("""
                {'kubernetes':{'namespace':'prod','deployment':'shop','container':'shop','image':'registry/shop-next'}}"""));
        assertThat(SpecBinding.resolve(plan, file).strategy()).isInstanceOf(Strategy.Canary.class);
    }

    @Test
    void aSpecFileWithAnotherStrategyIsRefusedWithTheStepToUse() throws Exception {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setSpec("deploy/shop.yaml");
        Plan plan = SpecBinding.plan(step, servers);
        String file = """
                name: shop
                version: "1.4.2"
                target: {kubernetes: {namespace: prod, deployment: shop, image: registry/shop}}
                strategy: {blueGreen: {previewService: shop-preview}}
                """;
        assertThatThrownBy(() -> SpecBinding.resolve(plan, file)).isInstanceOf(AbortException.class)
                .hasMessageContaining("- strategy.canary: canaryDeploy needs strategy.canary")
                .hasMessageContaining("- strategy.blueGreen: canaryDeploy runs strategy.canary; this spec uses "
                        + "strategy.blueGreen (use blueGreenSwitch)");
        assertThatThrownBy(() -> SpecBinding.resolve(plan, "name: [unclosed")).isInstanceOf(AbortException.class)
                .hasMessageStartingWith("canaryDeploy: 1 problem, nothing was changed:\n  - spec: 'deploy/shop.yaml' "
                        + "is not valid YAML or JSON");
    }

    @Test
    void aSpecFileMustBeInsideTheWorkspace() throws Exception {
        for (String outside : List.of("/etc/passwd", "../other-job/spec.yaml", "deploy/../../x.yaml", "C:\\spec.yaml",
                "deploy\\..\\..\\x.yaml")) {
            CanaryDeployStep step = new CanaryDeployStep();
            step.setSpec(outside);
            assertThatThrownBy(() -> SpecBinding.plan(step, servers)).as(outside).isInstanceOf(AbortException.class)
                    .hasMessageContaining("- spec: '" + outside + "' is not a relative path inside the workspace");
        }
        CanaryDeployStep inside = new CanaryDeployStep();
        inside.setSpec("deploy/..shop/spec.yaml");
        assertThat(SpecBinding.plan(inside, servers).specPath).isEqualTo("deploy/..shop/spec.yaml");
    }

    @Test
    void invalidParametersAreAllReportedWithTheirPaths() {
        CanaryDeployStep step = kubernetes(new CanaryDeployStep());
        step.setCommand("./app");
        step.setSteps("5,pause:soon,150,jump:3");
        step.setOnFailure("explode");
        step.setCluster("staging");
        step.setPrometheus("thanos");
        step.setHaproxyBackend("shop");
        step.setIngress("shop");
        InlineAnalysisTemplate noQuery = new InlineAnalysisTemplate("error-rate");
        noQuery.setInterval("often");
        noQuery.setCount(0);
        noQuery.setJudge("coinFlip");
        InlineAnalysisTemplate twice = new InlineAnalysisTemplate("error-rate");
        twice.setQuery("up");
        step.setAnalysis(List.of(noQuery, twice));

        assertThatThrownBy(() -> SpecBinding.plan(step, servers)).isInstanceOf(AbortException.class)
                .hasMessageStartingWith("canaryDeploy: 15 problems, nothing was changed:")
                .hasMessageContaining("- cluster: no cluster named 'staging' is configured in Manage Jenkins » System "
                        + "» Progressive Delivery (configured: prod)")
                .hasMessageContaining("- target: give the parameters of one target only")
                .hasMessageContaining("- prometheus: no Prometheus server named 'thanos' is configured")
                .hasMessageContaining("- analysis[0].canaryQuery: A PromQL query is required")
                .hasMessageContaining("- analysis[0].baselineQuery: A PromQL query is required")
                .hasMessageContaining("- analysis[0].interval: 'often' is not a duration: use a number followed by "
                        + "ms, s, m or h (500ms, 30s, 2m, 1h)")
                .hasMessageContaining("- analysis[0].count: 0 is out of range: use 1 or more")
                .hasMessageContaining("- analysis[0].judge: 'coinFlip' is not one of mannWhitney")
                .hasMessageContaining("- analysis[1].name: 'error-rate' is defined twice")
                .hasMessageContaining("- haproxyRuntimeApi: is required with the other parameters of this traffic "
                        + "router")
                .hasMessageContaining("- traffic: give the parameters of one traffic router only, not haproxy and "
                        + "nginxIngress")
                .hasMessageContaining("- onFailure: 'explode' is not one of rollback, pause, fail")
                .hasMessageContaining("- steps[1]: 'pause:soon': a pause is pause:manual or pause:<duration>")
                .hasMessageContaining("- steps[2]: weight 150 is out of range: use 0 to 100")
                .hasMessageContaining("- steps[3]: 'jump:3' is not a step");
    }

    @Test
    void specLevelProblemsOfInlineParametersAreFoundBeforeTheStepStarts() {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setName("shop");
        step.setNamespace("prod");
        step.setSteps("10,analysis:latency");

        assertThatThrownBy(() -> SpecBinding.plan(step, servers)).isInstanceOf(AbortException.class)
                .hasMessageContaining("- version: is required")
                .hasMessageContaining("- target.kubernetes.deployment: is required")
                .hasMessageContaining("- strategy.canary.steps[1].analysis[0]: 'latency' is not a defined analysis template");
    }

    @Test
    void aKubernetesPluginCloudGivesTheConnectionAndTheDefaultNamespace() throws Exception {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setName("shop");
        step.setVersion("1.4.2");
        step.setCloud("kubernetes");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setSteps("10");

        Plan plan = SpecBinding.plan(step, servers);

        assertThat(plan.cluster.cloud()).isEqualTo("kubernetes");
        assertThat(plan.cluster.serverUrl()).as("read from the cloud when used, never copied").isEmpty();
        assertThat(plan.cluster.credentialsId()).isEmpty();
        assertThat(SpecBinding.resolve(plan, null).target()).isEqualTo(
                new Target.Kubernetes("ci", "shop", "shop", "registry/shop"));
    }

    @Test
    void anUnknownCloudOrACloudWithAClusterIsAProblem() {
        CanaryDeployStep step = kubernetes(new CanaryDeployStep());
        step.setSteps("10");
        step.setCloud("k8s");
        assertThatThrownBy(() -> SpecBinding.plan(step, servers)).isInstanceOf(AbortException.class)
                .hasMessageContaining("- cloud: no cloud named 'k8s' in Manage Jenkins » Clouds");
        step.setCloud("kubernetes");
        step.setCluster("prod");
        assertThatThrownBy(() -> SpecBinding.plan(step, servers)).isInstanceOf(AbortException.class)
                .hasMessageContaining("- cloud: give cluster or cloud, not both");
    }
}
