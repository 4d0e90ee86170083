package io.jenkins.plugins.progressive.steps;

import hudson.model.Item;
import hudson.model.Run;
import hudson.security.Permission;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.RunAction2;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.export.Exported;
import org.kohsuke.stapler.export.ExportedBean;
import org.kohsuke.stapler.verb.POST;

/**
 * One rollout (or gate) of a build, on the build's page: its steps and canary weight over time and its gate
 * measurements as a chart, the verdict, the snapshot; the same data as JSON through the REST API
 * ({@code …/progressive-delivery/api/json}); and, while the rollout waits for a person, Promote and Abort buttons.
 * Kept with the build (plain fields, written with the build's XML), updated by the step at every change.
 */
@ExportedBean
public final class RolloutAction implements RunAction2 {

    private static final Logger LOGGER = Logger.getLogger(RolloutAction.class.getName());

    /** What the buttons and the command steps ask for, and the permission on the rollout's job that each needs. */
    enum Command {
        PROMOTE(Item.BUILD, "Job/Build"), ABORT(Item.CANCEL, "Job/Cancel"), ROLLBACK(Item.CANCEL, "Job/Cancel");

        final Permission permission;
        /** The permission as the security matrix names it. */
        final String permissionName;

        Command(Permission permission, String permissionName) {
            this.permission = permission;
            this.permissionName = permissionName;
        }
    }

    /** Checks that the current user may send a command (the job's ACL in Jenkins; tests give another). */
    @FunctionalInterface
    interface Guard {
        void check(Command command);
    }

    private final String urlName;
    private final String function;
    private final String key;
    private final String name;
    private final String version;
    private final List<Point> points = new ArrayList<>();
    private List<Sample> measurements = new ArrayList<>();
    private String phase = "PROGRESSING";
    private String status = "";
    private String verdict = "";
    private String snapshotId = "";
    private String reason = "";
    private boolean finished;

    private transient Run<?, ?> run;

    RolloutAction(String urlName, String function, String key, String name, String version) {
        this.urlName = urlName;
        this.function = function;
        this.key = key;
        this.name = name;
        this.version = version;
    }

    /** The action of rollout {@code key} on {@code run}, added when the run has none yet. */
    static synchronized RolloutAction of(Run<?, ?> run, String function, String key, String name, String version) {
        List<RolloutAction> existing = run.getActions(RolloutAction.class);
        for (RolloutAction a : existing) {
            if (a.key.equals(key) && !a.finished) {
                return a;
            }
        }
        RolloutAction action = new RolloutAction(existing.isEmpty() ? "progressive-delivery"
                : "progressive-delivery-" + (existing.size() + 1), function, key, name, version);
        run.addAction(action);
        return action;
    }

    /** Records where the rollout is, and saves the build when the phase changed. */
    void update(RolloutDriver.Progress progress) {
        if (progress != null && progress(progress, Instant.now())) {
            saveRun();
        }
    }

    /** Records how the rollout ended, and saves the build. */
    void end(RolloutDriver.Outcome outcome) {
        finish(outcome, Instant.now());
        saveRun();
    }

    private void saveRun() {
        try {
            if (run != null) {
                run.save();
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.log(Level.FINE, "cannot save the build page's data of " + key, e);
        }
    }

    /** Records where the rollout is; true when the phase changed (worth saving the build). */
    synchronized boolean progress(RolloutDriver.Progress progress, Instant at) {
        boolean phaseChanged = !progress.phase().equals(phase);
        phase = progress.phase();
        Point last = points.isEmpty() ? null : points.get(points.size() - 1);
        if (last == null || last.step != progress.step() || last.weight != progress.canaryWeight()
                || !last.phase.equals(progress.phase())) {
            points.add(new Point(at.toEpochMilli(), progress.step(), progress.canaryWeight(), progress.phase()));
        }
        measurements = samples(progress.measurements());
        return phaseChanged;
    }

    synchronized void finish(RolloutDriver.Outcome outcome, Instant at) {
        finished = true;
        status = outcome.status();
        phase = outcome.status();
        verdict = outcome.verdict();
        snapshotId = outcome.snapshotId();
        reason = outcome.reason();
        if (!outcome.measurements().isEmpty()) {
            measurements = samples(outcome.measurements());
        }
        if (!points.isEmpty()) {
            Point last = points.get(points.size() - 1);
            // after a rollback or an abort all traffic is back on stable; a failure left as is keeps its weight
            int weight = switch (outcome.status()) {
                case "SUCCEEDED" -> 100;
                case "ROLLED_BACK", "ABORTED" -> 0;
                default -> last.weight;
            };
            points.add(new Point(at.toEpochMilli(), last.step, weight, outcome.status()));
        }
    }

    private static List<Sample> samples(List<Map<String, Object>> maps) {
        List<Sample> out = new ArrayList<>();
        for (Map<String, Object> m : maps) {
            out.add(new Sample(text(m.get("at")), text(m.get("template")), text(m.get("gate")), text(m.get("verdict")),
                    text(m.get("value"))));
        }
        return out;
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    // ---- the page and the REST API --------------------------------------------------------------------------

    @Override
    public String getIconFileName() {
        return "clipboard.png";
    }

    @Override
    public String getDisplayName() {
        return "Progressive Delivery: " + name + (version.isEmpty() ? "" : " " + version);
    }

    @Override
    public String getUrlName() {
        return urlName;
    }

    /** The step that ran it: canaryDeploy, blueGreenSwitch, rollingUpdate, promotionGate… */
    @Exported
    public String getStep() {
        return function;
    }

    @Exported
    public String getKey() {
        return key;
    }

    @Exported
    public String getName() {
        return name;
    }

    @Exported
    public String getVersion() {
        return version;
    }

    /** The engine's phase while it runs ({@code PROGRESSING}, {@code PAUSED}…), then the end status. */
    @Exported
    public synchronized String getPhase() {
        return phase;
    }

    /** Empty while running; then {@code SUCCEEDED}, {@code ROLLED_BACK}, {@code ABORTED}… */
    @Exported
    public synchronized String getStatus() {
        return status;
    }

    @Exported
    public synchronized String getVerdict() {
        return verdict;
    }

    @Exported
    public synchronized String getSnapshotId() {
        return snapshotId;
    }

    @Exported
    public synchronized String getReason() {
        return reason;
    }

    @Exported
    public synchronized boolean isFinished() {
        return finished;
    }

    /** Waiting for a person: the page shows Promote and Abort. */
    @Exported
    public synchronized boolean isPaused() {
        return !finished && "PAUSED".equals(phase);
    }

    @Exported
    public synchronized List<Point> getPoints() {
        return List.copyOf(points);
    }

    @Exported
    public synchronized List<Sample> getMeasurements() {
        return List.copyOf(measurements);
    }

    /** The chart, as an SVG element built on the server with every value escaped (index.jelly writes it raw). */
    public synchronized String getChartSvg() {
        return RolloutChart.svg(List.copyOf(points), List.copyOf(measurements));
    }

    public Run<?, ?> getRun() {
        return run;
    }

    @POST
    public HttpResponse doPromote() throws IOException {
        promote(jobGuard(), DeliveryRuntime.get().driver());
        return HttpResponses.redirectToDot();
    }

    @POST
    public HttpResponse doAbort() throws IOException {
        abort(jobGuard(), DeliveryRuntime.get().driver());
        return HttpResponses.redirectToDot();
    }

    void promote(Guard guard, RolloutDriver driver) throws IOException {
        guard.check(Command.PROMOTE);
        driver.promote(key, false);
    }

    void abort(Guard guard, RolloutDriver driver) throws IOException {
        guard.check(Command.ABORT);
        driver.abort(key, "aborted from the build page");
    }

    private Guard jobGuard() {
        Run<?, ?> owner = Objects.requireNonNull(run, "the action is not attached to a build");
        return command -> owner.getParent().checkPermission(command.permission);
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    /** The canary weight from {@code at} on (epoch milliseconds). */
    @ExportedBean(defaultVisibility = 2)
    public static final class Point {
        private final long at;
        private final int step;
        private final int weight;
        private final String phase;

        Point(long at, int step, int weight, String phase) {
            this.at = at;
            this.step = step;
            this.weight = weight;
            this.phase = phase;
        }

        @Exported
        public long getAt() {
            return at;
        }

        @Exported
        public int getStep() {
            return step;
        }

        @Exported
        public int getWeight() {
            return weight;
        }

        @Exported
        public String getPhase() {
            return phase;
        }
    }

    /** One gate measurement. */
    @ExportedBean(defaultVisibility = 2)
    public static final class Sample {
        private final String at;
        private final String template;
        private final String gate;
        private final String verdict;
        private final String value;

        Sample(String at, String template, String gate, String verdict, String value) {
            this.at = at;
            this.template = template;
            this.gate = gate;
            this.verdict = verdict;
            this.value = value;
        }

        @Exported
        public String getAt() {
            return at;
        }

        @Exported
        public String getTemplate() {
            return template;
        }

        @Exported
        public String getGate() {
            return gate;
        }

        @Exported
        public String getVerdict() {
            return verdict;
        }

        @Exported
        public String getValue() {
            return value;
        }
    }
}
