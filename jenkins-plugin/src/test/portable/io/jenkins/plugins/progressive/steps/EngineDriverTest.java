package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import hudson.AbortException;
import io.jenkins.plugins.progressive.engine.Contexts;
import io.jenkins.plugins.progressive.engine.ControllerAccess;
import io.jenkins.plugins.progressive.engine.EngineDriver;
import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.rollout.Phase;
import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.VirtualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real engine behind the real driver, driven by the steps' state machine, on core's in-memory platform. Time is
 * virtual: the step's timer moves the engine's clock to each wake-up it asks for, so minutes of pauses take no time.
 */
class EngineDriverTest {

    /** The steps name no cluster: the in-memory platform stands for the controller's own. */
    static final ControllerAccess KUBERNETES_IDENTITY = new ControllerAccess(false, List.of(), true);

    @TempDir
    Path home;

    private final VirtualClock clock = new VirtualClock();
    private final InMemoryPlatform platform = new InMemoryPlatform(clock, 4, "1.4.1", false);
    private final List<ExecutorService> pools = new ArrayList<>();
    /**
     * While set, a wake-up a command poll (5 s) or more away is held back: the controller "goes down" in that wait.
     * Only a pause waits that long here (readiness is polled every second).
     */
    private volatile boolean holdLongWaits;
    private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();

    @AfterEach
    void stopPools() {
        pools.forEach(ExecutorService::shutdownNow);
    }

    /** A controller: a driver on the state under {@code home}, and the steps' runtime on a virtual timer. */
    private DeliveryRuntime controller() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                if (holdLongWaits && unit.toSeconds(delay) >= 5) {
                    held.incrementAndGet();
                    return super.schedule(() -> { }, 1, TimeUnit.DAYS);
                }
                clock.advance(Duration.ofNanos(unit.toNanos(delay)));
                return super.schedule(command, 0, unit);
            }
        };
        ExecutorService workers = Executors.newSingleThreadExecutor();
        pools.add(timer);
        pools.add(workers);
        DeliveryRuntime runtime = new DeliveryRuntime(timer, workers, null, Duration.ofMillis(10));
        runtime.useDriver(driver(runtime));
        return runtime;
    }

    private EngineDriver driver(DeliveryRuntime runtime) {
        return new EngineDriver(new DirectoryStateStore(home.resolve("state")),
                new DirectoryStateStore(home.resolve("requests")), new Contexts(), spec -> platform.platform(),
                key -> platform, runtime::schedule, clock, FallbackJudge.INSTANCE,
                b -> b.pollInterval(Duration.ofSeconds(1)).commandPollInterval(Duration.ofSeconds(5)),
                () -> KUBERNETES_IDENTITY);
    }

    private static Plan canary(String steps) throws AbortException {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setName("shop");
        step.setVersion("1.4.2");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setSteps(steps);
        return SpecBinding.plan(step, new FakeServers());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resultOf(FakeStepContext context) throws Exception {
        return (Map<String, Object>) context.result.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aRolloutSurvivesAControllerRestartAndSucceeds() throws Exception {
        FakeStepContext context = new FakeStepContext();
        holdLongWaits = true;
        DeliveryRuntime before = controller();
        DeliveryExecution execution = new DeliveryExecution(context, before, canary("25,pause:10m,100"));
        execution.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> held.get() > 0);
        assertThat(execution.getStatus()).as("in the 10m pause after setWeight 25")
                .startsWith("progressing, step 1, canary 25%");
        assertThat(platform.status(Role.CANARY).ready()).isEqualTo(1);
        String key = execution.key();
        assertThat(key).isEqualTo("shop@kubernetes/prod/shop");

        // the controller goes down in the pause: its timers and its engine are gone; the state directory stays
        pools.forEach(ExecutorService::shutdownNow);
        DeliveryExecution resumed = (DeliveryExecution) deserialize(serialize(execution));
        holdLongWaits = false;
        DeliveryRuntime after = controller();
        resumed.resume(after);

        Map<String, Object> result = resultOf(context);
        assertThat(result).containsEntry("status", "SUCCEEDED").containsEntry("verdict", "SUCCESSFUL");
        assertThat(platform.status(Role.STABLE).version()).contains("1.4.2");
        assertThat(platform.status(Role.STABLE).ready()).isEqualTo(4);
        assertThat(platform.status(Role.CANARY).desired()).isZero();
        assertThat(((EngineDriver) after.driver()).status(key)).get()
                .satisfies(s -> assertThat(s.phase()).isEqualTo(Phase.SUCCEEDED));
        assertThat(context.log()).contains("[canaryDeploy] started shop 1.4.2 (shop@kubernetes/prod/shop)",
                "progressing, step 1, canary 25%", "SUCCEEDED");
    }

    @Test
    void stoppingTheStepRollsBackAndEndsAborted() throws Exception {
        FakeStepContext context = new FakeStepContext();
        DeliveryRuntime runtime = controller();
        DeliveryExecution execution = new DeliveryExecution(context, runtime, canary("50,pause:manual,100"));
        execution.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> execution.getStatus().startsWith("paused"));
        assertThat(platform.status(Role.CANARY).ready()).isEqualTo(2);

        Exception cause = new Exception("Aborted by alice");
        execution.stop(cause);

        assertThat(context.result).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                .havingCause().isSameAs(cause);
        assertThat(((EngineDriver) runtime.driver()).status(execution.key())).get()
                .satisfies(s -> assertThat(s.phase()).isEqualTo(Phase.ABORTED));
        assertThat(platform.status(Role.CANARY).desired()).as("the canary is scaled down").isZero();
        assertThat(platform.status(Role.STABLE).version()).contains("1.4.1");
        assertThat(context.log()).contains("abort requested: Aborted by alice", "ABORTED");
    }

    @Test
    void aSecondRolloutOfTheSameTargetIsRefusedWithTheEnginesReason() throws Exception {
        DeliveryRuntime runtime = controller();
        DeliveryExecution first = new DeliveryExecution(new FakeStepContext(), runtime, canary("50,pause:manual"));
        first.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> first.getStatus().startsWith("paused"));

        FakeStepContext second = new FakeStepContext();
        new DeliveryExecution(second, runtime, canary("10")).start();
        assertThat(second.result).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class).withMessageContaining("is already live");
    }

    @Test
    void promoteByNameEndsAManualPause() throws Exception {
        FakeStepContext context = new FakeStepContext();
        DeliveryRuntime runtime = controller();
        DeliveryExecution execution = new DeliveryExecution(context, runtime, canary("50,pause:manual,100"));
        execution.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> execution.getStatus().startsWith("paused"));

        runtime.driver().promote("shop", false);

        assertThat(resultOf(context)).containsEntry("status", "SUCCEEDED");
    }

    @Test
    void rollbackRolloutTakesAFinishedRolloutBackWithoutABuildDrivingIt() throws Exception {
        FakeStepContext context = new FakeStepContext();
        DeliveryRuntime runtime = controller();
        DeliveryExecution execution = new DeliveryExecution(context, runtime, canary("50,100"));
        execution.start();
        assertThat(resultOf(context)).containsEntry("status", "SUCCEEDED");
        assertThat(platform.status(Role.STABLE).version()).contains("1.4.2");

        runtime.driver().rollback("shop", "bad release", RolloutDriver.CredentialLookup.NONE);

        EngineDriver driver = (EngineDriver) runtime.driver();
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.status(execution.key()).orElseThrow().phase().ended()
                && platform.status(Role.STABLE).version().orElse("").equals("1.4.1")
                && platform.status(Role.STABLE).ready() == 4);
        assertThat(driver.status(execution.key()).orElseThrow().phase()).isEqualTo(Phase.ROLLED_BACK);
    }

    private static Plan gate(String templates) throws AbortException {
        PromotionGateStep gate = new PromotionGateStep();
        gate.setName("shop");
        gate.setVersion("1.4.2");
        gate.setNamespace("prod");
        gate.setDeployment("shop");
        gate.setImage("registry/shop");
        gate.setPrometheus("main");
        InlineAnalysisTemplate errorRate = new InlineAnalysisTemplate("error-rate");
        errorRate.setQuery("sum(rate(errors_total{version=\"{{canary.version}}\"}[1m]))");
        errorRate.setSuccessCondition("result < 0.01");
        errorRate.setFailureCondition("result >= 0.05");
        errorRate.setInterval("30s");
        errorRate.setCount(3);
        InlineAnalysisTemplate latency = new InlineAnalysisTemplate("latency");
        latency.setQuery("histogram_quantile(0.99, sum(rate(latency_bucket[1m])) by (le))");
        latency.setSuccessCondition("result < 0.5");
        gate.setAnalysis(List.of(errorRate, latency));
        gate.setTemplates(templates);
        return SpecBinding.plan(gate, new FakeServers());
    }

    @Test
    void aGateMeasuresItsTemplatesAtTheirIntervalAndReturnsTheVerdictWithoutTouchingTheTarget() throws Exception {
        platform.metrics((template, at, canaryVersion) -> io.jenkins.plugins.progressive.analysis.MetricValue.of(
                "1.4.2".equals(canaryVersion) ? 0.002 : 1.0));
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, controller(), gate("error-rate")).start();

        Map<String, Object> result = resultOf(context);
        assertThat(result).containsEntry("status", "SUCCEEDED").containsEntry("verdict", "SUCCESSFUL");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> measured = (List<Map<String, Object>>) result.get("measurements");
        assertThat(measured).hasSize(3).allSatisfy(m -> assertThat(m).containsEntry("template", "error-rate")
                .containsEntry("verdict", "SUCCESSFUL").containsEntry("value", "0.002"));
        assertThat(measured).extracting(m -> java.time.Instant.parse((String) m.get("at")))
                .satisfies(at -> assertThat(Duration.between(at.get(0), at.get(1))).isEqualTo(Duration.ofSeconds(30)));
        assertThat(platform.calls()).as("a gate changes nothing").noneMatch(c -> c.startsWith("scale")
                || c.startsWith("routes"));
    }

    @Test
    void aFailedGateReturnsItsVerdictInsteadOfFailingTheStep() throws Exception {
        platform.metrics((template, at, canaryVersion) -> io.jenkins.plugins.progressive.analysis.MetricValue.of(
                template.equals("error-rate") ? 0.07 : 0.1));
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, controller(), gate("")).start();

        Map<String, Object> result = resultOf(context);
        assertThat(result).containsEntry("status", "FAILED").containsEntry("verdict", "FAILED");
        assertThat((List<?>) result.get("measurements")).hasSize(2);
    }

    @Test
    void aGateNamingAnUndefinedTemplateFailsWithTheAllowedNames() throws Exception {
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, controller(), gate("error-rate,latncy")).start();
        assertThat(context.result).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class)
                .withMessage("promotionGate: templates: 'latncy' is not a defined analysis template; allowed: "
                        + "error-rate, latency");
    }

    private static byte[] serialize(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }
}
