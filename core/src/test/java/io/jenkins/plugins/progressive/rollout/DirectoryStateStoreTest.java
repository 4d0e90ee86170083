package io.jenkins.plugins.progressive.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryStateStoreTest {

    @TempDir
    Path dir;

    @Test
    void savesLoadsAndCountsRevisions() throws Exception {
        DirectoryStateStore store = new DirectoryStateStore(dir.resolve(".progressive"));
        assertThat(store.load("shop@local/x")).isEmpty();
        assertThat(store.keys()).isEmpty();

        long r1 = store.save("shop@local/x", 0, "{\"phase\":\"PROGRESSING\"}");
        long r2 = store.save("shop@local/x", r1, "{\"phase\":\"SUCCEEDED\"}");

        assertThat(r1).isEqualTo(1);
        assertThat(r2).isEqualTo(2);
        StateStore.Stored stored = store.load("shop@local/x").orElseThrow();
        assertThat(stored.revision()).isEqualTo(2);
        assertThat(stored.json()).isEqualTo("{\"phase\":\"SUCCEEDED\"}");
        assertThat(store.keys()).containsExactly("shop@local/x");
    }

    @Test
    void aStaleWriterLosesAndTheStoredDocumentIsUntouched() throws Exception {
        DirectoryStateStore store = new DirectoryStateStore(dir);
        long r1 = store.save("k", 0, "{\"v\":1}");
        store.save("k", r1, "{\"v\":2}");

        assertThatThrownBy(() -> store.save("k", r1, "{\"v\":3}"))
                .isInstanceOf(StateStore.ConflictException.class)
                .hasMessageContaining("expected revision 1, found 2");
        assertThatThrownBy(() -> store.save("k", 0, "{\"v\":3}"))
                .isInstanceOf(StateStore.ConflictException.class);
        assertThat(store.load("k").orElseThrow().json()).isEqualTo("{\"v\":2}");
    }

    @Test
    void keysThatLookAlikeDoNotShareAFile() throws Exception {
        DirectoryStateStore store = new DirectoryStateStore(dir);
        store.save("a/b", 0, "{\"v\":\"slash\"}");
        store.save("a_b", 0, "{\"v\":\"underscore\"}");

        assertThat(store.load("a/b").orElseThrow().json()).contains("slash");
        assertThat(store.load("a_b").orElseThrow().json()).contains("underscore");
        assertThat(store.keys()).containsExactlyInAnyOrder("a/b", "a_b");
    }

    @Test
    void concurrentWritersOfTheSameRevisionHaveExactlyOneWinner() throws Exception {
        DirectoryStateStore store = new DirectoryStateStore(dir);
        long base = store.save("k", 0, "{}");
        AtomicInteger wins = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    try {
                        store.save("k", base, "{\"writer\":" + n + "}");
                        wins.incrementAndGet();
                    } catch (StateStore.ConflictException expected) {
                        // the others lose
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wins).hasValue(1);
        assertThat(store.load("k").orElseThrow().revision()).isEqualTo(base + 1);
    }

    @Test
    void noTemporaryFilesAreLeftBehind() throws Exception {
        DirectoryStateStore store = new DirectoryStateStore(dir);
        long r = 0;
        for (int i = 0; i < 5; i++) {
            r = store.save("k", r, "{\"i\":" + i + "}");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aDocumentThatIsNotJsonIsRefused() {
        DirectoryStateStore store = new DirectoryStateStore(dir);
        assertThatThrownBy(() -> store.save("k", 0, "not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
    }
}
