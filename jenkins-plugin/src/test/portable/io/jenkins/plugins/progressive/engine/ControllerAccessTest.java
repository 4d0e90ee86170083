package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.AbortException;
import io.jenkins.plugins.progressive.rollout.DirectoryStateStore;
import io.jenkins.plugins.progressive.rollout.testing.FallbackJudge;
import io.jenkins.plugins.progressive.rollout.testing.InMemoryPlatform;
import io.jenkins.plugins.progressive.rollout.testing.VirtualClock;
import io.jenkins.plugins.progressive.spec.SpecReader;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import io.jenkins.plugins.progressive.spec.SnapshotSubject;
import io.jenkins.plugins.progressive.spec.Target;
import io.jenkins.plugins.progressive.spec.Traffic;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a step may do on the controller itself: refused by default, before anything is bound or changed, with the
 * parameter named; allowed by the administrator's settings.
 */
class ControllerAccessTest {

    @TempDir
    Path dir;

    private final VirtualClock clock = new VirtualClock();
    private final InMemoryPlatform platform = new InMemoryPlatform(clock, 4, "1.4.1", false);
    /** Each bind of a spec's ports: a refused request must not get there. */
    private final AtomicInteger binds = new AtomicInteger();
    private final AtomicInteger controllers = new AtomicInteger();

    /** A controller of its own each time: the rollouts the tests start are never finished. */
    private EngineDriver driver(ControllerAccess access) {
        Path home = dir.resolve("controller-" + controllers.incrementAndGet());
        return new EngineDriver(new DirectoryStateStore(home.resolve("state")),
                new DirectoryStateStore(home.resolve("requests")), new Contexts(), spec -> {
                    binds.incrementAndGet();
                    return platform.platform();
                }, key -> platform, (work, delay) -> { }, clock, FallbackJudge.INSTANCE, b -> b, () -> access);
    }

    private static RolloutDriver.Request rollout(String targetAndTraffic) throws Exception {
        String json = "{\"name\": \"shop\", \"version\": \"1.4.2\", " + targetAndTraffic
                + ", \"strategy\": {\"canary\": {\"steps\": [{\"setWeight\": 50}]}}}";
        return new RolloutDriver.Request(RolloutDriver.Operation.ROLLOUT,
                new RolloutDriver.Work.Rollout(SpecReader.fromTree(new ObjectMapper().readTree(json))),
                Optional.empty(), Map.of(), RolloutDriver.CredentialLookup.NONE);
    }

    private static final String LOCAL = "\"target\": {\"local\": {\"command\": [\"python3\", \"app.py\", \"{port}\"]}}";
    private static final String KUBERNETES =
            "\"target\": {\"kubernetes\": {\"namespace\": \"prod\", \"deployment\": \"shop\", \"image\": \"shop\"}}";
    private static final String NGINX = "\"target\": {\"endpoints\": {\"stable\": [\"10.0.0.5:8080\"],"
            + " \"canary\": [\"10.0.0.9:8080\"]}}, \"traffic\": {\"nginx\": {\"upstreamFile\":"
            + " \"/etc/nginx/conf.d/shop.upstream\", \"upstream\": \"shop\"}}";

    private static String haproxy(String runtimeApi) {
        return "\"target\": {\"endpoints\": {\"stable\": [\"10.0.0.5:8080\"], \"canary\": [\"10.0.0.9:8080\"]}},"
                + " \"traffic\": {\"haproxy\": {\"runtimeApi\": \"" + runtimeApi + "\", \"backend\": \"shop\"}}";
    }

    @Test
    void aLocalTargetIsRefusedUnlessControllerProcessesAreAllowed() throws Exception {
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(rollout(LOCAL)))
                .isInstanceOf(AbortException.class).hasMessageContaining("nothing was changed")
                .hasMessageContaining("target.local: local targets run their processes on the Jenkins controller")
                .hasMessageContaining("Controller access");
        assertThat(binds).as("refused before the engine bound anything").hasValue(0);

        driver(new ControllerAccess(true, List.of(), false)).start(rollout(LOCAL));
        assertThat(binds).hasValue(1);
    }

    @Test
    void anNginxUpstreamFileNeedsAnAllowedPathAndItsReloadCommandControllerProcesses() throws Exception {
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(rollout(NGINX)))
                .isInstanceOf(AbortException.class).hasMessageContaining("2 problems")
                .hasMessageContaining("traffic.nginx.upstreamFile: '/etc/nginx/conf.d/shop.upstream' is a path on the"
                        + " Jenkins controller, and no controller path is allowed")
                .hasMessageContaining("traffic.nginx.reloadCommand: the reload command would run on the Jenkins"
                        + " controller");
        assertThatThrownBy(() -> driver(new ControllerAccess(true, List.of("/etc/nginx/sites"), false))
                .start(rollout(NGINX))).isInstanceOf(AbortException.class)
                .hasMessageContaining("not under an allowed controller path (/etc/nginx/sites)");
        assertThatThrownBy(() -> driver(new ControllerAccess(true, List.of("/etc/nginx/conf.d"), false))
                .start(rollout(NGINX.replace("conf.d/shop", "conf.d/../../passwd/shop"))))
                .as("'..' does not leave the allowed folder").isInstanceOf(AbortException.class)
                .hasMessageContaining("traffic.nginx.upstreamFile");
        assertThat(binds).hasValue(0);

        driver(new ControllerAccess(true, List.of("/etc/nginx/conf.d"), false)).start(rollout(NGINX));
        assertThat(binds).hasValue(1);
    }

    @Test
    void haproxyRuntimeApisOnTheControllerNeedItsLeave() throws Exception {
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(rollout(haproxy("unix:/run/haproxy/admin.sock"))))
                .isInstanceOf(AbortException.class).hasMessageContaining(
                        "traffic.haproxy.runtimeApi: '/run/haproxy/admin.sock' is a path on the Jenkins controller");
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(rollout(haproxy("tcp:127.0.0.1:9999"))))
                .isInstanceOf(AbortException.class).hasMessageContaining(
                        "traffic.haproxy.runtimeApi: 'tcp:127.0.0.1:9999' is a socket of the Jenkins controller");
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(rollout(haproxy("localhost:9999"))))
                .isInstanceOf(AbortException.class).hasMessageContaining("socket of the Jenkins controller");
        assertThat(binds).hasValue(0);

        driver(new ControllerAccess(false, List.of("/run/haproxy"), false))
                .start(rollout(haproxy("unix:/run/haproxy/admin.sock")));
        driver(new ControllerAccess(true, List.of(), false)).start(rollout(haproxy("tcp:127.0.0.1:9999")));
        assertThat(binds).hasValue(2);
    }

    @Test
    void kubernetesWithoutAClusterWouldBeTheControllersOwnAccount() throws Exception {
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(rollout(KUBERNETES)))
                .isInstanceOf(AbortException.class).hasMessageContaining("cluster: the step names no cluster")
                .hasMessageContaining("the Jenkins controller's own Kubernetes account");
        RolloutDriver.ClusterConnection empty = new RolloutDriver.ClusterConnection("local", "", "", "prod", "");
        RolloutDriver.Request named = rollout(KUBERNETES);
        assertThatThrownBy(() -> driver(ControllerAccess.NONE).start(new RolloutDriver.Request(named.operation(),
                named.work(), Optional.of(empty), Map.of(), named.credentials())))
                .isInstanceOf(AbortException.class)
                .hasMessageContaining("cluster 'local' has no server URL and no credentials");
        assertThat(binds).hasValue(0);

        RolloutDriver.ClusterConnection withToken = new RolloutDriver.ClusterConnection("prod",
                "https://k8s.example.com:6443", "prod-token", "prod", "");
        driver(ControllerAccess.NONE).start(new RolloutDriver.Request(named.operation(), named.work(),
                Optional.of(withToken), Map.of(), named.credentials()));
        assertThat(binds).as("a cluster with a credential is not the controller's account").hasValue(1);
        driver(new ControllerAccess(false, List.of(), true)).start(named);
    }

    @Test
    void aRolloutAttachedAfterTheLeaveWasWithdrawnIsRefusedWhenItsPortsAreBound() throws Exception {
        RolloutDriver.Work.Rollout local = (RolloutDriver.Work.Rollout) rollout(LOCAL).work();
        SpecPlatforms platforms = new SpecPlatforms(new Contexts(), dir.resolve("local"), () -> ControllerAccess.NONE);

        assertThatThrownBy(() -> platforms.bind(local.spec())).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("rollout shop: target.local: local targets run their processes on the Jenkins"
                        + " controller");
        assertThat(dir.resolve("local")).as("no process was started, so no bookkeeping either").doesNotExist();
    }

    @Test
    void aSnapshotStoreOnTheControllerMustBeUnderAnAllowedPath() throws Exception {
        SnapshotSpec spec = new SnapshotSpec(true, "file:/var/lib/progressive/snapshots", List.of(), List.of(), Optional.empty(),
                List.of(), Optional.empty(), List.of(), List.of());
        RolloutDriver.Request snapshot = new RolloutDriver.Request(RolloutDriver.Operation.SNAPSHOT,
                new RolloutDriver.Work.Snapshot(new SnapshotSubject("shop",
                        new Target.Kubernetes("prod", "shop", "", "shop"), spec, new Traffic.Replicas())),
                Optional.empty(), Map.of(), RolloutDriver.CredentialLookup.NONE);

        assertThatThrownBy(() -> driver(new ControllerAccess(false, List.of(), true)).start(snapshot))
                .isInstanceOf(AbortException.class).hasMessageStartingWith("snapshotState: 1 problem")
                .hasMessageContaining("store: '/var/lib/progressive/snapshots' is a path on the Jenkins controller");

        assertThat(driver(new ControllerAccess(false, List.of("/var/lib/progressive"), true)).start(snapshot).key())
                .startsWith("snapshot:");
    }
}
