package io.jenkins.plugins.progressive.rollout;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jenkins.plugins.progressive.analysis.AnalysisRun;
import io.jenkins.plugins.progressive.analysis.Verdict;
import io.jenkins.plugins.progressive.spec.InvalidSpecException;
import io.jenkins.plugins.progressive.spec.RolloutSpec;
import io.jenkins.plugins.progressive.spec.SpecReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checkpointed state of one rollout: a versioned JSON document ({@code schemaVersion: 1}) kept in a
 * {@link StateStore}. Everything the engine needs to resume after a crash is here; nothing lives only
 * in memory except the futures of measurements in flight, which are re-issued after a restart.
 */
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, setterVisibility = Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RolloutState {

    static final int SCHEMA_VERSION = 1;

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What one role was last asked to run. */
    record Desired(String version, int replicas) {
    }

    /** An action between its two checkpoints; performed again after a crash (every action is idempotent). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Action(Type type, Role role, String version, Integer replicas, Routes routes, String snapshotId,
            int attempts, Instant retryAt) {
        enum Type {
            SNAPSHOT, SCALE, ROUTES, RESTORE
        }

        static Action scale(Role role, String version, int replicas) {
            return new Action(Type.SCALE, role, version, replicas, null, null, 0, null);
        }

        static Action routes(Routes routes) {
            return new Action(Type.ROUTES, null, null, null, routes, null, 0, null);
        }

        static Action snapshot() {
            return new Action(Type.SNAPSHOT, null, null, null, null, null, 0, null);
        }

        static Action restore(String snapshotId) {
            return new Action(Type.RESTORE, null, null, null, null, snapshotId, 0, null);
        }

        Action failedOnce(Instant retry) {
            return new Action(type, role, version, replicas, routes, snapshotId, attempts + 1, retry);
        }

        @Override
        public String toString() {
            return switch (type) {
                case SCALE -> "scale " + role.name().toLowerCase(java.util.Locale.ROOT) + " to " + replicas + " x "
                        + version;
                case ROUTES -> "set routes " + routes;
                case SNAPSHOT -> "snapshot";
                case RESTORE -> "restore snapshot " + snapshotId;
            };
        }
    }

    /** A measurement asked for and not answered yet. */
    record InFlight(String gate, String template, Instant at) {
        String id() {
            return gate + "/" + template + "/" + at;
        }
    }

    /** Commands from other drivers (CLI, a Jenkins button), written with compare-and-set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Requests(String promote, String abort) {
    }

    /**
     * One line of the rollout's compact history.
     *
     * @param step the strategy step (0-based) at that moment
     * @param weight the canary's share of requests, in percent, after the line's event
     */
    public record History(Instant at, int step, int weight, String what) {
    }

    int schemaVersion = SCHEMA_VERSION;
    String key;
    String name;
    String version;
    /** The version the stable role ran before the rollout; null for a first release. */
    String stableVersion;
    String strategy;
    int size;
    Phase phase;
    int step;
    Instant startedAt;
    Instant endedAt;
    Instant pauseUntil;
    String pauseReason;
    /** The step whose pauses and gates a promote request skips. */
    Integer skipStep;
    boolean promoteFull;
    Routes routes;
    /**
     * A role that serves traffic was scaled since the routes were last sent: routers keep a list of
     * instances (HAProxy servers, nginx upstream lines), so the same split must be sent again.
     */
    boolean routesStale;
    Map<Role, Desired> desired = new EnumMap<>(Role.class);
    String gateId;
    List<AnalysisRun> gate = new ArrayList<>();
    List<AnalysisRun> background = new ArrayList<>();
    List<InFlight> inflight = new ArrayList<>();
    Action pendingAction;
    Instant waitingSince;
    Instant flippedAt;
    String snapshotId;
    boolean snapshotRestored;
    String failureReason;
    Verdict verdict;
    boolean aborted;
    boolean rollbackRequested;
    int rollbackStep;
    List<String> rollbackErrors = new ArrayList<>();
    Requests requests;
    List<History> history = new ArrayList<>();
    List<NamedMeasurement> measurements = new ArrayList<>();
    /** The spec as the caller gave it, canonical ({@link io.jenkins.plugins.progressive.spec.SpecWriter}). */
    JsonNode spec;
    String specDigest;
    RolloutResult result;

    RolloutState() {
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write rollout state '" + key + "'", e);
        }
    }

    /** Reads a stored state document (what {@link StateStore#load} returns), for tools that only read. */
    public static RolloutState fromJson(String json) {
        RolloutState s;
        try {
            s = JSON.readValue(json, RolloutState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored rollout state is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (s.schemaVersion != SCHEMA_VERSION) {
            throw new IllegalStateException("rollout state '" + s.key + "' has schemaVersion " + s.schemaVersion
                    + "; this version reads only " + SCHEMA_VERSION);
        }
        return s;
    }

    Desired desired(Role role) {
        return desired.getOrDefault(role, new Desired(null, 0));
    }

    public String key() {
        return key;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The version that served before this rollout; null for a first release. */
    public String previousStableVersion() {
        return stableVersion;
    }

    public Phase phase() {
        return phase;
    }

    public int step() {
        return step;
    }

    /** The routes the engine last set (for a replica-ratio target: the share the instance counts give). */
    public Routes routes() {
        return routes;
    }

    public String failureReason() {
        return failureReason;
    }

    public String pauseReason() {
        return pauseReason;
    }

    public String snapshotId() {
        return snapshotId;
    }

    /** The end result, null while the rollout is live. */
    public RolloutResult result() {
        return result;
    }

    public List<NamedMeasurement> measurements() {
        return List.copyOf(measurements);
    }

    /** canary, blueGreen or rolling. */
    public String strategy() {
        return strategy;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** When the rollout reached its end state, null while it is live. */
    public Instant endedAt() {
        return endedAt;
    }

    /** The analysis verdict that decided the failure, null when none did (yet). */
    public Verdict verdict() {
        return verdict;
    }

    /** The compact history (weights, steps, measurements, failure, end), in order. */
    public List<History> history() {
        return List.copyOf(history);
    }

    /** What went wrong while rolling back (empty when the rollback was complete or never ran). */
    public List<String> rollbackErrors() {
        return List.copyOf(rollbackErrors);
    }

    /** The document as stored. */
    public String json() {
        return toJson();
    }

    /**
     * The spec this rollout was started with, read back from the state (empty for states written before
     * specs were stored).
     */
    public Optional<RolloutSpec> spec() throws InvalidSpecException {
        return spec == null || spec.isNull() ? Optional.empty() : Optional.of(SpecReader.fromTree(spec));
    }
}
