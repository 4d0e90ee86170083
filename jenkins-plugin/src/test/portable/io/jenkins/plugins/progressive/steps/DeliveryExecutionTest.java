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
        DeliveryRuntime runtime = new DeliveryRuntime(timer, workers, driver, retryDelay);
        runtime.useCallers(() -> (rollout, job, command) -> callers.add(command + " " + rollout + " of " + job));
        return runtime;
    }

    /** The permission checks the command steps asked for: every caller here may do everything. */
    private final List<String> callers = new java.util.concurrent.CopyOnWriteArrayList<>();

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

        assertThat(context.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isSameAs(cause);
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
        java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(3);
        RolloutDriver flaky = new FakeDriver(1, false, FakeDriver.succeeded()) {
            @Override
            public Tick advance(String key, CredentialLookup credentials) throws java.io.IOException {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new java.io.IOException("connection refused");
                }
                return super.advance(key, credentials);
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
        assertThat(callers).containsExactly("PROMOTE shop@kubernetes/prod/shop of shop-deploy");
    }

    @Test
    void aCommandFromABuildWithoutThePermissionOnTheRolloutsJobFailsAndSendsNothing() throws Exception {
        FakeDriver driver = new FakeDriver(0, false, FakeDriver.succeeded());
        DeliveryRuntime runtime = runtime(driver);
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        runtime.useCallers(() -> (rollout, job, command) -> {
            asked.add(command + " " + job);
            if (command != RolloutAction.Command.PROMOTE) {
                throw new AbortException("mallory lacks the " + command.permissionName + " permission on job '" + job
                        + "', which started rollout '" + rollout + "'");
            }
        });
        AbortRolloutStep abort = new AbortRolloutStep();
        abort.setName("shop");
        RollbackRolloutStep rollback = new RollbackRolloutStep();
        rollback.setName("shop");
        FakeStepContext aborting = new FakeStepContext();
        FakeStepContext rollingBack = new FakeStepContext();

        new CommandExecution(aborting, runtime, abort).start();
        new CommandExecution(rollingBack, runtime, rollback).start();

        assertThat(aborting.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class).withMessage("abortRollout: mallory lacks the"
                        + " Job/Cancel permission on job 'shop-deploy', which started rollout 'shop'");
        assertThat(rollingBack.result).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class).havingCause()
                .withMessageContaining("rollbackRollout: mallory lacks the Job/Cancel permission");
        assertThat(asked).containsExactlyInAnyOrder("ABORT shop-deploy", "ROLLBACK shop-deploy");
        assertThat(driver.aborts).as("nothing was sent").isEmpty();
        assertThat(driver.calls).noneMatch(c -> c.startsWith("abort") || c.startsWith("rollback"));
    }

    @Test
    void rollbackRolloutRollsBackWithTheAskingBuildsCredentials() throws Exception {
        RolloutDriver.CredentialLookup askingBuild = id -> new RolloutDriver.Credential.Token("asking-" + id);
        java.util.concurrent.atomic.AtomicReference<RolloutDriver.CredentialLookup> used =
                new java.util.concurrent.atomic.AtomicReference<>();
        FakeDriver engine = new FakeDriver(0, false, FakeDriver.succeeded()) {
            @Override
            public void rollback(String key, String reason, CredentialLookup credentials) {
                used.set(credentials);
                super.rollback(key, reason, credentials);
            }
        };
        DeliveryRuntime runtime = runtime(engine);
        runtime.useCredentials(run -> askingBuild);
        RollbackRolloutStep rollback = new RollbackRolloutStep();
        rollback.setName("shop");
        rollback.setNamespace("prod");
        rollback.setDeployment("shop");
        FakeStepContext context = new FakeStepContext();

        new CommandExecution(context, runtime, rollback).start();

        assertThat(resultOf(context)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("status", "RollbackRequested");
        assertThat(used.get()).isSameAs(askingBuild);
        assertThat(callers).containsExactly("ROLLBACK shop@kubernetes/prod/shop of shop-deploy");
    }

    @Test
    void anEngineErrorEchoingATokenOfTheBuildIsMaskedInTheLogAndTheFailure() throws Exception {
        String token = "eyJhbGciOiJSUzI1NiJ9.s3cr3t-t0ken";
        RolloutDriver rejecting = new FakeDriver(1, false, FakeDriver.succeeded()) {
            @Override
            public Tick advance(String key, CredentialLookup credentials) throws java.io.IOException {
                Credential read = credentials.find("prod-token");
                // what an API server's 401 can look like once a client library has put it in a message
                throw new java.io.IOException("Unauthorized: the server rejected bearer token "
                        + ((Credential.Token) read).value() + " for https://k8s.example.com:6443");
            }
        };
        DeliveryRuntime runtime = runtime(rejecting);
        runtime.useCredentials(run -> id -> new RolloutDriver.Credential.Token(token));
        FakeStepContext context = new FakeStepContext();

        new DeliveryExecution(context, runtime, canaryPlan()).start();

        assertThat(context.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(AbortException.class).withMessage("canaryDeploy: Unauthorized: the"
                        + " server rejected bearer token **** for https://k8s.example.com:6443");
        assertThat(context.log()).contains("engine call failed (Unauthorized: the server rejected bearer token ****")
                .doesNotContain(token).doesNotContain("s3cr3t");
    }

    @Test
    void stopDoesNotWaitForAnEngineCallInProgress() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FakeDriver hanging = new FakeDriver(5, false, FakeDriver.succeeded()) {
            @Override
            public Tick advance(String key, CredentialLookup credentials) throws java.io.IOException {
                inCall.countDown();
                try {
                    release.await(); // an API server that does not answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.advance(key, credentials);
            }
        };
        FakeStepContext context = new FakeStepContext();
        DeliveryExecution execution = new DeliveryExecution(context, runtime(hanging), canaryPlan());
        execution.start();
        assertThat(inCall.await(10, TimeUnit.SECONDS)).isTrue();

        Exception cause = new Exception("Aborted by carol");
        java.util.concurrent.CompletableFuture<Void> stopping =
                java.util.concurrent.CompletableFuture.runAsync(() -> execution.stop(cause));
        await().atMost(Duration.ofSeconds(5)).until(stopping::isDone);
        assertThat(release.getCount()).as("stop() returned while the engine call still hangs").isEqualTo(1);
        assertThat(hanging.aborts).isEmpty();

        release.countDown();
        assertThat(context.result).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isSameAs(cause);
        assertThat(hanging.aborts).containsEntry(execution.key(), "Aborted by carol");
        assertThat(context.log()).contains("abort requested: Aborted by carol");
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
