package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.VirtualClock;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver remembers whose a rollout is, and forgets the build that drove it once it has ended. */
class RolloutOwnershipTest {

    @TempDir
    Path dir;

    private final VirtualClock clock = new VirtualClock();
    private final InMemoryPlatform platform = new InMemoryPlatform(clock, 4, "1.4.1", false);
    private final Contexts contexts = new Contexts();

    private EngineDriver driver() {
        return new EngineDriver(new DirectoryStateStore(dir.resolve("state")),
                new DirectoryStateStore(dir.resolve("requests")), contexts, spec -> platform.platform(),
                key -> platform, (work, delay) -> { }, clock, FallbackJudge.INSTANCE, b -> b,
                () -> new ControllerAccess(false, List.of(), true));
    }

    private static RolloutDriver.Request request(RolloutDriver.CredentialLookup build) throws Exception {
        String json = "{\"name\": \"shop\", \"version\": \"1.4.2\", \"target\": {\"kubernetes\": {\"namespace\":"
                + " \"prod\", \"deployment\": \"shop\", \"image\": \"shop\"}}, \"strategy\": {\"canary\": {\"steps\":"
                + " [{\"setWeight\": 50}, {\"setWeight\": 100}]}}}";
        return new RolloutDriver.Request(RolloutDriver.Operation.ROLLOUT,
                new RolloutDriver.Work.Rollout(SpecReader.fromTree(new ObjectMapper().readTree(json))),
                Optional.empty(), Map.of(RolloutDriver.Request.JOB, "team/shop-deploy"), build);
    }

    private RolloutDriver.Outcome runToEnd(EngineDriver driver, String key,
            RolloutDriver.CredentialLookup build) throws Exception {
        for (int i = 0; i < 1000; i++) {
            RolloutDriver.Tick tick = driver.advance(key, build);
            if (tick instanceof RolloutDriver.Tick.Done done) {
                return done.outcome();
            }
            clock.advance(((RolloutDriver.Tick.Wait) tick).after());
        }
        throw new AssertionError("the rollout did not end");
    }

    @Test
    void theJobThatStartedARolloutIsItsOwnerEvenAfterARestart() throws Exception {
        RolloutDriver.CredentialLookup build = id -> new RolloutDriver.Credential.Token("t");
        String key = driver().start(request(build)).key();

        assertThat(driver().owner("shop")).as("by name, on a controller that restarted")
                .isEqualTo(new RolloutDriver.Owner("shop@kubernetes/prod/shop", "team/shop-deploy"));
        assertThat(driver().owner(key).job()).isEqualTo("team/shop-deploy");
    }

    @Test
    void anEndedRolloutReleasesTheBuildThatDroveIt() throws Exception {
        RolloutDriver.CredentialLookup build = id -> new RolloutDriver.Credential.Token("t");
        EngineDriver driver = driver();
        String key = driver.start(request(build)).key();
        driver.advance(key, build);
        assertThat(contexts.get(key).credentials()).isSameAs(build);

        assertThat(runToEnd(driver, key, build).succeeded()).isTrue();

        assertThat(contexts.get(key)).as("no context keeps the build's lookup (and so the build) in memory")
                .isNull();
    }

    @Test
    void aFinishedRolloutIsRolledBackWithTheAskingBuildsCredentials() throws Exception {
        RolloutDriver.CredentialLookup first = id -> new RolloutDriver.Credential.Token("first");
        RolloutDriver.CredentialLookup asking = id -> new RolloutDriver.Credential.Token("asking");
        EngineDriver driver = driver();
        String key = driver.start(request(first)).key();
        runToEnd(driver, key, first);

        driver.rollback("shop", "bad release", asking);

        assertThat(contexts.get(key).credentials()).isSameAs(asking);
        assertThat(contexts.get(key).options()).containsEntry(RolloutDriver.Request.JOB, "team/shop-deploy");
    }
}
