package io.jenkins.plugins.progressive.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one way to turn a spec file, spec text or inline step parameters into a {@link RolloutSpec}. It reports
 * every problem at once, each with the field path as the user writes it and the values allowed there.
 */
public final class SpecReader {

    /** The syntax of a spec file, chosen by its extension. */
    public enum Format {
        YAML, JSON;

        /** {@code .yml}/{@code .yaml} or {@code .json}; null for anything else. */
        public static Format of(Path file) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                return YAML;
            }
            return name.endsWith(".json") ? JSON : null;
        }
    }

    static final List<String> FIELDS = List.of("name", "version", "target", "traffic", "strategy", "analysis",
            "backgroundAnalysis", "onFailure", "snapshot");
    static final List<String> ON_FAILURE = List.of("rollback", "pause", "fail");

    private SpecReader() {
    }

    /**
     * Reads a {@code .yml}, {@code .yaml} or {@code .json} file and applies {@code overrides} ({@code --set}).
     *
     * @throws InvalidSpecException with every problem; a file that cannot be read is one problem at path ""
     */
    public static RolloutSpec read(Path file, Map<String, String> overrides) throws InvalidSpecException {
        return read(file, overrides, false);
    }

    private static RolloutSpec read(Path file, Map<String, String> overrides, boolean snapshotOnly)
            throws InvalidSpecException {
        Format format = Format.of(file);
        if (format == null) {
            throw new InvalidSpecException("", "cannot read " + file + ": unknown file type; allowed: .yml, .yaml, .json");
        }
        String text;
        try {
            if (Files.size(file) > SafeTree.MAX_CHARS * 4L) {
                throw new InvalidSpecException("", "cannot read " + file + ": " + Files.size(file)
                        + " bytes; allowed: at most " + SafeTree.MAX_CHARS + " characters");
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new InvalidSpecException("", "cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InvalidSpecException("", "cannot read " + file + ": not UTF-8 text; allowed: UTF-8");
        } catch (IOException e) {
            throw new InvalidSpecException("", "cannot read " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        return parse(text, format, overrides, snapshotOnly);
    }

    /** Reads spec text and applies {@code overrides} before anything is checked. */
    public static RolloutSpec parse(String text, Format format, Map<String, String> overrides)
            throws InvalidSpecException {
        return parse(text, format, overrides, false);
    }

    private static RolloutSpec parse(String text, Format format, Map<String, String> overrides, boolean snapshotOnly)
            throws InvalidSpecException {
        Problems problems = new Problems();
        JsonNode tree = SafeTree.parse(text, format, problems);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems.list());
        }
        if (tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode(); // an empty file: report the missing fields
        }
        if (tree instanceof ObjectNode root && overrides != null) {
            Overrides.apply(root, overrides, problems);
        }
        return build(tree, problems, snapshotOnly);
    }

    /**
     * For snapshot commands and steps, which need only {@code name}, {@code target} and {@code snapshot}: the
     * other fields may be absent, and are checked like everywhere else when present.
     */
    public static SnapshotSubject readSnapshotSubject(Path file, Map<String, String> overrides)
            throws InvalidSpecException {
        return subject(read(file, overrides, true));
    }

    /** {@link #readSnapshotSubject(Path, Map)} for spec text. */
    public static SnapshotSubject parseSnapshotSubject(String text, Format format, Map<String, String> overrides)
            throws InvalidSpecException {
        return subject(parse(text, format, overrides, true));
    }

    /** {@link #readSnapshotSubject(Path, Map)} for inline step parameters. */
    public static SnapshotSubject snapshotSubjectFromTree(JsonNode tree) throws InvalidSpecException {
        return subject(build(tree == null ? JsonNodeFactory.instance.objectNode() : tree, new Problems(), true));
    }

    /**
     * For the {@code promotionGate} step, which runs analysis templates alone: the spec's templates, in spec order.
     * As for snapshot subjects, {@code version} and {@code strategy} may be absent and are checked when present;
     * {@code name} and {@code target} are required, because templates refer to them.
     */
    public static Map<String, AnalysisTemplate> analysisFromTree(JsonNode tree) throws InvalidSpecException {
        return build(tree == null ? JsonNodeFactory.instance.objectNode() : tree, new Problems(), true).analysis();
    }

    private static SnapshotSubject subject(RolloutSpec spec) {
        return new SnapshotSubject(spec.name(), spec.target(), spec.snapshot(), spec.traffic());
    }

    /** Builds the model from inline step parameters or stored state (the shape {@link SpecWriter} writes). */
    public static RolloutSpec fromTree(JsonNode tree) throws InvalidSpecException {
        return build(tree == null ? JsonNodeFactory.instance.objectNode() : tree, new Problems());
    }

    /** Every problem of the file with its overrides; empty when it is valid. */
    public static List<SpecProblem> validate(Path file, Map<String, String> overrides) {
        try {
            read(file, overrides);
            return List.of();
        } catch (InvalidSpecException e) {
            return e.problems();
        }
    }

    /** Every problem of the text with its overrides; empty when it is valid. */
    public static List<SpecProblem> validate(String text, Format format, Map<String, String> overrides) {
        try {
            parse(text, format, overrides);
            return List.of();
        } catch (InvalidSpecException e) {
            return e.problems();
        }
    }

    private static RolloutSpec build(JsonNode tree, Problems problems) throws InvalidSpecException {
        return build(tree, problems, false);
    }

    /** With {@code snapshotOnly}, version and strategy may be absent (then null in the result, which stays private). */
    private static RolloutSpec build(JsonNode tree, Problems problems, boolean snapshotOnly)
            throws InvalidSpecException {
        At root = new At(tree, "", problems);
        if (!tree.isObject()) {
            root.wrongType("a mapping", "a mapping with " + String.join(", ", FIELDS));
            throw new InvalidSpecException(problems.list());
        }
        root.mapping(FIELDS);

        String name = TargetReader.required(root.field("name"), Names.NAME, Names::isName);
        String version = snapshotOnly ? root.field("version").string(Names.VERSION, Names::isVersion)
                : TargetReader.required(root.field("version"), Names.VERSION, Names::isVersion);

        At targetAt = root.field("target");
        String targetKind = null;
        Target target = null;
        if (targetAt.required("a mapping with exactly one of " + String.join(", ", TargetReader.KINDS))
                && targetAt.mapping(TargetReader.KINDS)) {
            List<String> targetKinds = targetAt.chosen(TargetReader.KINDS, true);
            targetKind = targetKinds.size() == 1 ? targetKinds.get(0) : null;
            target = TargetReader.read(targetAt, targetKinds);
        }
        Traffic traffic = TrafficReader.read(root.field("traffic"), targetKind);

        Set<String> templateNames = new LinkedHashSet<>(root.field("analysis").present()
                && root.field("analysis").node.isObject() ? fieldNames(root.field("analysis").node) : List.of());
        Strategy strategy = snapshotOnly && !root.field("strategy").present() ? null
                : StrategyReader.read(root.field("strategy"), templateNames);
        Map<String, AnalysisTemplate> analysis = AnalysisReader.read(root.field("analysis"));
        List<String> background = StrategyReader.templateNames(root.field("backgroundAnalysis"), templateNames, false);
        String onFailure = root.field("onFailure").word(ON_FAILURE);
        SnapshotSpec snapshot = SnapshotReader.read(root.field("snapshot"));

        if (version != null && target instanceof Target.Kubernetes k) {
            checkKubernetesVersion(root.field("version"), version, k);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems.list());
        }
        return new RolloutSpec(name, version, target, traffic, strategy, analysis,
                background == null ? List.of() : background,
                onFailure == null ? OnFailure.ROLLBACK : OnFailure.valueOf(onFailure.toUpperCase(Locale.ROOT)),
                snapshot);
    }

    /** The version labels pods, and becomes the image tag when the image has none. */
    private static void checkKubernetesVersion(At at, String version, Target.Kubernetes k) {
        boolean tagged = !k.imageFor(version).equals(k.image() + ":" + version);
        if (!tagged && !Names.isImageTag(version)) {
            at.problem("'" + version + "' is not a valid image tag (the image '" + k.image()
                    + "' has no tag, so the version becomes its tag); allowed: " + Names.IMAGE_TAG);
        } else if (!Names.isLabelValue(version)) {
            at.problem("'" + version + "' cannot be a Kubernetes label value (pods are labelled with the version);"
                    + " allowed: " + Names.LABEL_VALUE);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
