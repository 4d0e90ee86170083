package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import hudson.AbortException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The long steps' state machine, with a fake engine and a step context outside Jenkins. */
class DeliveryExecutionTest {

    private final List<ScheduledExecutorService> schedulers = new java.util.ArrayList<>();
    private final List<ExecutorService> pools = new java.util.ArrayList<>();

    @AfterEach
    void stopPools() {
        schedulers.forEach(ScheduledExecutorService::shutdownNow);
        pools.forEach(ExecutorService::shutdownNow);
    }

    private DeliveryRuntime runtime(RolloutDriver driver) {
        return runtime(driver, Duration.ofMillis(10));
    }

    private DeliveryRuntime runtime(RolloutDriver driver, Duration retryDelay) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        schedulers.add(timer);
        pools.add(workers);
        return new DeliveryRuntime(timer, workers, driver, retryDelay);
    }

    private static Plan canaryPlan() throws AbortException {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setName("shop");
        step.setVersion("1.4.2");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setSteps("5,pause:1s,50");
        return SpecBinding.plan(step, new FakeServers());
    }

    private static Object resultOf(FakeStepContext context) throws Exception {
        return context.result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void startReturnsAtOnceAndTheResultMapArrivesThroughTheContext() throws Exception {
        FakeDriver driver = new FakeDriver(3, false, FakeDriver.succeeded());
        driver.startGate = new CountDownLatch(1); // the engine does not answer until the step has returned
        FakeStepContext context = new FakeStepContext();
        DeliveryExecution execution = new DeliveryExecution(context, runtime(driver), canaryPlan());

        assertThat(execution.start()).as("asynchronous: the step does not complete inside start()").isFalse();
        assertThat(driver.started).isEmpty();
        driver.startGate.countDown();

        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) resultOf(context);
        assertThat(result).containsEntry("status", "Succeeded").containsEntry("verdict", "Successful")
                .containsEntry("snapshotId", "snap-1").containsKeys("measurements", "durationMillis");
        assertThat((List<?>) result.get("measurements")).hasSize(1);
        assertThat((Long) result.get("durationMillis")).isNotNegative();
        assertThat(driver.started).singleElement().satisfies(r -> {
            assertThat(r.operation()).isEqualTo(RolloutDriver.Operation.ROLLOUT);
            assertThat(r.name()).isEqualTo("shop");
        });
        assertThat(driver.count("advance")).isEqualTo(4);
        assertThat(context.saves.get()).as("the key is checkpointed as soon as the engine has it").isEqualTo(1);
        assertThat(context.log()).contains("[canaryDeploy] started shop 1.4.2", "step 3 of 3", "Succeeded");
    }

    @Test
    void aRestartedControllerCarriesOnWithTheSameRolloutFromItsKey() throws Exception {
        FakeDriver driver = new FakeDriver(2, true, FakeDriver.succeeded());
        FakeStepContext context = new FakeStepContext();
        DeliveryRuntime before = runtime(driver);
        DeliveryExecution execution = new DeliveryExecution(context, before, canaryPlan());
        execution.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> execution.getStatus().startsWith("paused"));
        String key = execution.key();

        // the controller goes down: its timers die, the step's state is what Pipeline persisted
        schedulers.get(0).shutdownNow();
        pools.get(0).shutdownNow();
        byte[] persisted = serialize(execution);
        DeliveryExecution resumed = (DeliveryExecution) deserialize(persisted);
        long advancesBefore = driver.count("advance");

        resumed.resume(runtime(driver));
        await().atMost(Duration.ofSeconds(10)).until(() -> driver.count("advance") > advancesBefore);
        assertThat(resumed.getStatus()).contains("paused").contains(key);
        driver.promote(key, false);

        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) resultOf(context);
        assertThat(result).containsEntry("status", "Succeeded");
        assertThat(driver.count("start")).as("a resumed step never starts a second rollout").isEqualTo(1);
        assertThat(resumed.isFinished()).isTrue();
    }

    @Test
    void stopAsksTheEngineToAbortAndEndsWithTheCauseOnceRolledBack() throws Exception {
        FakeDriver driver = new FakeDriver(1, true, FakeDriver.succeeded());
        FakeStepContext context = new FakeStepContext();
        DeliveryExecution execution = new DeliveryExecution(context, runtime(driver), canaryPlan());
        execution.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> execution.getStatus().startsWith("paused"));

        Exception cause = new Exception("Aborted by alice");
        execution.stop(cause);

        assertThat(context.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isSameAs(cause);
        assertThat(driver.aborts).containsEntry(execution.key(), "Aborted by alice");
        assertThat(context.log()).contains("abort requested: Aborted by alice", "RolledBack");
    }

    @Test
    void stopBeforeTheEngineHasTheRolloutChangesNothing() throws Exception {
        FakeDriver driver = new FakeDriver(1, false, FakeDriver.succeeded());
        FakeStepContext context = new FakeStepContext();
        DeliveryExecution execution = new DeliveryExecution(context, runtime(driver), canaryPlan());

        Exception cause = new Exception("Aborted by bob");
        execution.stop(cause);

        assertThat(context.result).isCompletedExceptionally();
        assertThat(driver.calls).isEmpty();
    }

    @Test
    void aFailedRolloutFailsTheStepWithTheEnginesReason() throws Exception {
        RolloutDriver.Outcome rolledBack = new RolloutDriver.Outcome("RolledBack", "Failed", "snap-1", List.of(),
                false, "gate error-rate failed: result 0.07 >= 0.05");
        FakeDriver driver = new FakeDriver(1, false, rolledBack);
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, runtime(driver), canaryPlan()).start();

        assertThat(context.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class)
                .withMessage("canaryDeploy: RolledBack (verdict Failed): gate error-rate failed: result 0.07 >= 0.05");
    }

    @Test
    void promotionGateReturnsAFailedVerdictInsteadOfFailing() throws Exception {
        RolloutDriver.Outcome failed = new RolloutDriver.Outcome("Completed", "Failed", "", List.of(), false,
                "error-rate: result 0.07");
        FakeDriver driver = new FakeDriver(0, false, failed);
        PromotionGateStep gate = new PromotionGateStep();
        gate.setName("shop");
        gate.setVersion("1.4.2");
        gate.setNamespace("prod");
        gate.setDeployment("shop");
        gate.setImage("registry/shop");
        gate.setPrometheus("main");
        InlineAnalysisTemplate errorRate = new InlineAnalysisTemplate("error-rate");
        errorRate.setQuery("sum(rate(errors_total[1m]))");
        gate.setAnalysis(List.of(errorRate));
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, runtime(driver), SpecBinding.plan(gate, new FakeServers())).start();

        assertThat(resultOf(context)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("verdict", "Failed");
        assertThat(driver.started.get(0).operation()).isEqualTo(RolloutDriver.Operation.GATE);
    }

    @Test
    void aSpecFileOutsideAWorkspaceIsAClearErrorAndNothingStarts() throws Exception {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setSpec("deploy/shop.yaml");
        step.setVersion("1.4.3");
        FakeDriver driver = new FakeDriver(1, false, FakeDriver.succeeded());
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, runtime(driver), SpecBinding.plan(step, new FakeServers())).start();

        assertThat(context.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class)
                .withMessageContaining("spec: reading 'deploy/shop.yaml' needs a workspace")
                .withMessageContaining("inside node");
        assertThat(driver.calls).isEmpty();
    }

    @Test
    void engineErrorsAreRetriedAndOnlyARunOfThemFailsTheStep() throws Exception {
        FakeDriver engine = new FakeDriver(1, false, FakeDriver.succeeded());
        java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(3);
        RolloutDriver flaky = new RolloutDriver() {
            @Override
            public Started start(Request request) throws java.io.IOException {
                return engine.start(request);
            }

            @Override
            public Tick advance(String key, CredentialLookup credentials) throws java.io.IOException {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new java.io.IOException("connection refused");
                }
                return engine.advance(key, credentials);
            }

            @Override
            public void promote(String key, boolean full) {
            }

            @Override
            public void abort(String key, String reason) {
            }

            @Override
            public void rollback(String key, String reason) {
            }
        };
        FakeStepContext context = new FakeStepContext();
        new DeliveryExecution(context, runtime(flaky), canaryPlan()).start();
        assertThat(resultOf(context)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("status", "Succeeded");
        assertThat(context.log()).contains("engine call failed (connection refused); retrying in 10 ms");

        failuresLeft.set(DeliveryExecution.MAX_RETRIES + 1);
        FakeStepContext second = new FakeStepContext();
        new DeliveryExecution(second, runtime(flaky), canaryPlan()).start();
        assertThat(second.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class).withMessage("canaryDeploy: connection refused");
    }

    @Test
    void withoutAnEngineAStepFailsBeforeChangingAnythingAndAResumedOneWaitsForIt() throws Exception {
        FakeStepContext fresh = new FakeStepContext();
        new DeliveryExecution(fresh, runtime(RolloutDriver.unavailable()), canaryPlan()).start();
        assertThat(fresh.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class)
                .withMessage("canaryDeploy: the progressive delivery engine is not available (yet) on this controller");

        // a step that was running when the controller stopped: the engine is wired in a moment after start-up
        FakeDriver engine = new FakeDriver(2, true, FakeDriver.succeeded());
        FakeStepContext context = new FakeStepContext();
        DeliveryExecution running = new DeliveryExecution(context, runtime(engine), canaryPlan());
        running.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> running.getStatus().startsWith("paused"));
        DeliveryExecution resumed = (DeliveryExecution) deserialize(serialize(running));
        DeliveryRuntime startingUp = runtime(RolloutDriver.unavailable(), Duration.ofMillis(500));
        resumed.resume(startingUp);
        await().atMost(Duration.ofSeconds(10)).until(() -> context.log().contains("engine call failed"));
        startingUp.useDriver(engine);
        engine.promote(resumed.key(), false);
        assertThat(resultOf(context)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("status", "Succeeded");
    }

    @Test
    void commandStepsReachTheLiveRolloutByName() throws Exception {
        FakeDriver driver = new FakeDriver(0, false, FakeDriver.succeeded());
        PromoteRolloutStep promote = new PromoteRolloutStep();
        promote.setName("shop");
        promote.setNamespace("prod");
        promote.setDeployment("shop");
        promote.setFull(true);
        FakeStepContext context = new FakeStepContext();
        new CommandExecution(context, runtime(driver), promote).start();

        assertThat(resultOf(context)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("status", "PromotionRequested(full)");
        assertThat(driver.promotions).containsEntry("shop@kubernetes/prod/shop", true);
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
