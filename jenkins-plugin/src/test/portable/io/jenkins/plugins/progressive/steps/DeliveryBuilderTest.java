package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import hudson.model.TaskListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The freestyle build steps: same binding, same engine, waiting on the executor they hold anyway. */
class DeliveryBuilderTest {

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
    private final TaskListener listener = () -> out;

    private static Plan plan() throws Exception {
        CanaryDeployStep step = new CanaryDeployStep();
        step.setName("shop");
        step.setVersion("1.4.2");
        step.setNamespace("prod");
        step.setDeployment("shop");
        step.setImage("registry/shop");
        step.setSteps("5,pause:manual");
        return SpecBinding.plan(new CanaryDeployBuilder(step).step(), new FakeServers());
    }

    @Test
    void aBuildRunsTheRolloutToItsEnd() throws Exception {
        FakeDriver driver = new FakeDriver(2, false, FakeDriver.succeeded());
        Plan plan = plan();
        RolloutDriver.Outcome outcome = DeliveryBuilder.runToEnd(driver, plan, SpecBinding.work(plan, null),
                RolloutDriver.CredentialLookup.NONE,
                listener);
        assertThat(outcome.status()).isEqualTo("Succeeded");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("[canaryDeploy] started shop 1.4.2",
                "[canaryDeploy] step 2 of 2", "[canaryDeploy] Succeeded, verdict Successful");
    }

    @Test
    void abortingTheBuildRollsBackBeforeTheExecutorIsFreed() throws Exception {
        FakeDriver driver = new FakeDriver(1, true, FakeDriver.succeeded());
        Plan plan = plan();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread build = new Thread(() -> {
            try {
                DeliveryBuilder.runToEnd(driver, plan, SpecBinding.work(plan, null),
                        RolloutDriver.CredentialLookup.NONE, listener);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        build.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.toString(StandardCharsets.UTF_8).contains("paused: waiting for promoteRollout"));

        build.interrupt();
        build.join(10_000);

        assertThat(build.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(driver.aborts).containsKey("shop@kubernetes/prod/shop");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("build aborted: rolling back",
                "[canaryDeploy] RolledBack");
    }
}
