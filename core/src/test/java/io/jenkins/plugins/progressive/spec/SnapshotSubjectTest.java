package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** `progressive snapshot create SPEC` needs only name, target and snapshot. */
class SnapshotSubjectTest {

    static final String SNAPSHOT_ONLY = """
            name: shop
            target:
              kubernetes: {namespace: prod, deployment: shop, image: registry/shop}
            snapshot:
              store: "file:/tmp/snaps"
              include: {namespaces: [prod]}
            """;

    @Test
    void versionAndStrategyAreNotNeeded() throws Exception {
        SnapshotSubject s = SpecReader.parseSnapshotSubject(SNAPSHOT_ONLY, SpecReader.Format.YAML, Map.of());
        assertThat(s.name()).isEqualTo("shop");
        assertThat(s.target()).isEqualTo(new Target.Kubernetes("prod", "shop", "shop", "registry/shop"));
        assertThat(s.snapshot().store()).isEqualTo("file:/tmp/snaps");
        assertThat(s.snapshot().includeNamespaces()).containsExactly("prod");
    }

    @Test
    void aRolloutStillNeedsThem() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SpecReader.parse(SNAPSHOT_ONLY, SpecReader.Format.YAML, Map.of()));
        assertThat(e.problems()).extracting(SpecProblem::path).containsExactlyInAnyOrder("version", "strategy");
    }

    @Test
    void whatIsPresentIsStillChecked() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SpecReader.parseSnapshotSubject(SNAPSHOT_ONLY + "strategy: {canary: {steps: [{setWeight: 101}]}}\n",
                        SpecReader.Format.YAML, Map.of("snapshot.store", "/tmp")));
        assertThat(e.problems()).extracting(SpecProblem::path)
                .containsExactlyInAnyOrder("strategy.canary.steps[0].setWeight", "snapshot.store");
    }

    @Test
    void aFullSpecIsASubjectToo() throws Exception {
        SnapshotSubject s = SpecReader.readSnapshotSubject(ExamplesTest.EXAMPLES.resolve("snapshot-kubernetes.yaml"), Map.of());
        assertThat(s.snapshot().enabled()).isTrue();
        assertThat(SpecReader.snapshotSubjectFromTree(SpecWriter.toTree(
                SpecReader.read(ExamplesTest.EXAMPLES.resolve("snapshot-kubernetes.yaml"), Map.of())))).isEqualTo(s);
    }
}
