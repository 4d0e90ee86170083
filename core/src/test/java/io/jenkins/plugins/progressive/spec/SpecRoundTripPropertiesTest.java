package io.jenkins.plugins.progressive.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The canonical tree is lossless: whatever valid spec is stored (state, step parameters) or printed as YAML
 * reads back as the same spec.
 */
class SpecRoundTripPropertiesTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 300)
    void theCanonicalTreeReadsBackAsTheSameSpec(@ForAll("specs") RolloutSpec spec) throws Exception {
        assertThat(SpecReader.fromTree(SpecWriter.toTree(spec))).isEqualTo(spec);
    }

    @Property(tries = 300)
    void theCanonicalTreeAsYamlOrJsonReadsBackAsTheSameSpec(@ForAll("specs") RolloutSpec spec) throws Exception {
        String yaml = YAML.writeValueAsString(SpecWriter.toTree(spec));
        assertThat(SpecReader.parse(yaml, SpecReader.Format.YAML, Map.of())).as(yaml).isEqualTo(spec);
        String json = JSON.writeValueAsString(SpecWriter.toTree(spec));
        assertThat(SpecReader.parse(json, SpecReader.Format.JSON, Map.of())).as(json).isEqualTo(spec);
    }

    @Property
    void durationsFormatAndParseBack(@ForAll("durations") Duration d) {
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }

    // ---- generators of valid specs

    @Provide
    Arbitrary<RolloutSpec> specs() {
        return templates().flatMap(templates -> {
            List<String> names = new ArrayList<>(templates.keySet());
            Arbitrary<Target> targets = Arbitraries.oneOf(kubernetes(), local(), endpoints());
            Arbitrary<TargetAndTraffic> placed = targets.flatMap(t -> traffic(t).map(tr -> new TargetAndTraffic(t, tr)));
            Arbitrary<List<String>> background = names.isEmpty() ? Arbitraries.just(List.of())
                    : Arbitraries.of(names).list().ofMaxSize(3);
            return Combinators.combine(dnsLabel(53), version(), placed, strategy(names), background,
                    Arbitraries.of(OnFailure.class), snapshot()).as((name, version, tt, strategy, bg, onFailure, snap) ->
                            new RolloutSpec(name, version, tt.target, tt.traffic, strategy, templates, bg, onFailure, snap));
        });
    }

    record TargetAndTraffic(Target target, Traffic traffic) {
    }

    @Provide
    Arbitrary<Duration> durations() {
        return Arbitraries.longs().between(0, 40L * 86_400_000L).map(Duration::ofMillis);
    }

    static Arbitrary<Duration> positive() {
        return Arbitraries.oneOf(Arbitraries.longs().between(1, 10L * 86_400_000L),
                Arbitraries.longs().between(1, 600).map(s -> s * 1000)).map(Duration::ofMillis);
    }

    static Arbitrary<String> dnsLabel(int max) {
        Arbitrary<String> inner = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-')
                .ofMaxLength(Math.min(20, max - 2));
        Arbitrary<Character> edge = Arbitraries.chars().range('a', 'z').range('0', '9');
        return Arbitraries.oneOf(edge.map(String::valueOf),
                Combinators.combine(edge, inner, edge).as((a, b, c) -> a + b + c));
    }

    static Arbitrary<String> version() {
        Arbitrary<String> inner = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').withChars("._-").ofMaxLength(20);
        Arbitrary<Character> edge = Arbitraries.chars().range('a', 'z').range('0', '9');
        return Arbitraries.oneOf(Arbitraries.of("1.4.2", "1.10", "2", "true", "0x1F", "1e3", "null", "v2.0.0-rc.1"),
                Combinators.combine(edge, inner, edge).as((a, b, c) -> a + b + c));
    }

    /** Any text a user may put in a free-form field: quotes, colons, '#', unicode, newlines; no template braces. */
    static Arbitrary<String> text() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("\té日本\n").ofMinLength(1).ofMaxLength(16)
                .filter(s -> !s.isBlank() && !s.contains("{{") && !s.endsWith("{"));
    }

    static Arbitrary<Target> kubernetes() {
        Arbitrary<String> image = Arbitraries.of("registry.example.com/shop", "shop", "127.0.0.1:5000/team/shop",
                "registry/shop:1.0", "registry/shop@sha256:0123abcd");
        return Combinators.combine(dnsLabel(63), dnsLabel(63), dnsLabel(63), image).as(Target.Kubernetes::new);
    }

    static Arbitrary<Target> local() {
        Arbitrary<Target.Readiness> readiness = Combinators.combine(
                text().map(s -> "/" + s.replaceAll("\\s", "")), positive()).as(Target.Readiness::new);
        return Combinators.combine(text().list().ofMinSize(1).ofMaxSize(5), Arbitraries.integers().between(1, 1000),
                readiness, text().optional()).as(Target.Local::new);
    }

    static Arbitrary<String> hostPort() {
        return Combinators.combine(Arbitraries.of("127.0.0.1", "localhost", "[::1]", "10.0.0.5"),
                Arbitraries.integers().between(1, 65535)).as((h, p) -> h + ":" + p);
    }

    static Arbitrary<Target> endpoints() {
        return Combinators.combine(hostPort().list().ofMinSize(1).ofMaxSize(3), hostPort().list().ofMinSize(1).ofMaxSize(3))
                .as(Target.Endpoints::new);
    }

    static Arbitrary<Traffic> traffic(Target target) {
        Arbitrary<Traffic> haproxy = Combinators.combine(
                Arbitraries.oneOf(hostPort(), hostPort().map(h -> "tcp:" + h), text().map(s -> "unix:/" + s)),
                Arbitraries.of("shop", "be_shop", "shop.v2:x")).as(Traffic.Haproxy::new);
        Arbitrary<Traffic> nginx = Combinators.combine(text(), Arbitraries.of("shop", "up_1.x"),
                text().list().ofMinSize(1).ofMaxSize(4)).as(Traffic.Nginx::new);
        if (target instanceof Target.Kubernetes) {
            return Arbitraries.oneOf(Arbitraries.just(new Traffic.Replicas()),
                    dnsLabel(63).map(Traffic.NginxIngress::new), dnsLabel(63).map(Traffic.GatewayApi::new),
                    Combinators.combine(dnsLabel(63), text()).as(Traffic.Istio::new));
        }
        if (target instanceof Target.Local) {
            return Arbitraries.oneOf(Arbitraries.just(new Traffic.Replicas()), haproxy, nginx);
        }
        return Arbitraries.oneOf(haproxy, nginx);
    }

    static Arbitrary<Strategy> strategy(List<String> templates) {
        Arbitrary<List<String>> refs = templates.isEmpty() ? Arbitraries.just(List.of())
                : Arbitraries.of(templates).list().ofMaxSize(3);
        List<Arbitrary<Strategy.CanaryStep>> stepKinds = new ArrayList<>(List.of(
                Arbitraries.integers().between(0, 100).map(Strategy.CanaryStep.SetWeight::new),
                Arbitraries.oneOf(positive(), Arbitraries.just(Duration.ZERO)).optional()
                        .map(Strategy.CanaryStep.Pause::new)));
        if (!templates.isEmpty()) {
            stepKinds.add(Arbitraries.of(templates).list().ofMinSize(1).ofMaxSize(3).map(Strategy.CanaryStep.Analysis::new));
        }
        Arbitrary<Strategy> canary = Arbitraries.oneOf(stepKinds).list().ofMinSize(1).ofMaxSize(8)
                .map(Strategy.Canary::new);
        Arbitrary<Strategy> blueGreen = Combinators.combine(dnsLabel(63).optional(), refs, refs,
                Arbitraries.of(true, false), Arbitraries.oneOf(positive(), Arbitraries.just(Duration.ZERO)))
                .as(Strategy.BlueGreen::new);
        Arbitrary<Strategy> rolling = Combinators.combine(batches(), positive(), refs,
                Arbitraries.integers().between(0, 10)).as(Strategy.Rolling::new);
        return Arbitraries.oneOf(canary, blueGreen, rolling);
    }

    static Arbitrary<List<Strategy.Batch>> batches() {
        Arbitrary<List<Strategy.Batch>> percents = Arbitraries.integers().between(1, 99).set().ofMaxSize(5)
                .map(set -> withHundred(set.stream().sorted().map(v -> new Strategy.Batch(v, true)).toList()));
        Arbitrary<List<Strategy.Batch>> counts = Arbitraries.integers().between(1, 50).set().ofMaxSize(5)
                .map(set -> withHundred(set.stream().sorted().map(v -> new Strategy.Batch(v, false)).toList()));
        return Arbitraries.oneOf(percents, counts);
    }

    private static List<Strategy.Batch> withHundred(List<Strategy.Batch> batches) {
        List<Strategy.Batch> out = new ArrayList<>(batches);
        out.add(new Strategy.Batch(100, true));
        return out;
    }

    static Arbitrary<Map<String, AnalysisTemplate>> templates() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMinLength(1)
                .ofMaxLength(10).filter(s -> !s.startsWith("-"));
        return names.set().ofMaxSize(4).flatMap(set -> {
            List<String> list = new ArrayList<>(set);
            return Combinators.combine(list.stream().map(SpecRoundTripPropertiesTest::template).toList()).as(ts -> {
                Map<String, AnalysisTemplate> m = new LinkedHashMap<>();
                ts.forEach(t -> m.put(t.name(), t));
                return m;
            });
        });
    }

    static Arbitrary<String> query() {
        return Combinators.combine(text(), Arbitraries.of("", "{{canary.version}}", "{{stable.version}}", "{{name}}",
                "{{namespace}}")).as((a, b) -> a + b);
    }

    static Arbitrary<String> condition() {
        return Arbitraries.of("result < 0.01", "result >= 0.05", "result == \"ok\"", "!(result > 1) || result == 0",
                "result * 2 + 1 < 10 && result != 3");
    }

    static Arbitrary<AnalysisTemplate> template(String name) {
        Arbitrary<Optional<Duration>> timeout = positive().optional();
        Arbitrary<AnalysisTemplate.MetricQuery> instant = Combinators.combine(
                Arbitraries.of("http://127.0.0.1:9090", "https://prometheus.example.com/prefix"), query(), timeout,
                text().optional()).as((a, q, t, c) -> new AnalysisTemplate.Prometheus(a, Optional.of(q),
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), t, c));
        Arbitrary<Map<String, String>> headers = Arbitraries.maps(Arbitraries.of("Accept", "X-Token", "Authorization"),
                Arbitraries.oneOf(text().map(s -> s.replaceAll("[\r\n]", "")).filter(s -> !s.isEmpty()),
                        Arbitraries.just("Bearer {{secret:TOKEN}}"))).ofMaxSize(3);
        Arbitrary<AnalysisTemplate.MetricQuery> web = Combinators.combine(
                Arbitraries.of("http://127.0.0.1:8080/health", "https://127.0.0.1/v/{{canary.version}}"),
                Arbitraries.of("GET", "POST"), headers, query().optional(), Arbitraries.of("$", "$.status", "$[0].v"),
                timeout).as((u, m, h, b, j, t) -> new AnalysisTemplate.Web(u, m, h, m.equals("POST") ? b : Optional.empty(), j, t));
        Arbitrary<AnalysisTemplate> plain = Combinators.combine(Arbitraries.oneOf(instant, web), condition().optional(),
                condition().optional(), positive(), Arbitraries.integers().between(1, 100),
                Arbitraries.oneOf(positive(), Arbitraries.just(Duration.ZERO)), limits(), limits())
                .as((q, s, f, interval, count, delay, limits, more) -> new AnalysisTemplate(name, q, s, f, interval,
                        count, delay, limits.get(0), limits.get(1), more.get(0), Optional.empty()));
        Arbitrary<AnalysisTemplate.MetricQuery> ranged = Combinators.combine(query(), query(), positive(), positive(),
                timeout).as((c, b, r, s, t) -> new AnalysisTemplate.Prometheus("http://127.0.0.1:9090", Optional.empty(),
                        Optional.of(c), Optional.of(b), Optional.of(r), Optional.of(s), t, Optional.empty()));
        Arbitrary<AnalysisTemplate.Judge> judge = Combinators.combine(Arbitraries.of(AnalysisTemplate.Direction.class),
                Arbitraries.doubles().between(0, false, 1, false).ofScale(12).filter(d -> d > 0 && d < 1),
                Arbitraries.doubles().between(0, 10).ofScale(8)).as(AnalysisTemplate.Judge::new);
        Arbitrary<AnalysisTemplate> judged = Combinators.combine(ranged, positive(), Arbitraries.integers().between(1, 5),
                judge).as((q, interval, count, j) -> new AnalysisTemplate(name, q, Optional.empty(), Optional.empty(),
                        interval, count, Duration.ZERO, 0, 0, 4, Optional.of(j)));
        return Arbitraries.oneOf(plain, judged);
    }

    static Arbitrary<List<Integer>> limits() {
        return Arbitraries.integers().between(0, 20).list().ofSize(2);
    }

    static Arbitrary<SnapshotSpec> snapshot() {
        Arbitrary<String> store = Arbitraries.oneOf(text().map(s -> "file:" + s),
                Arbitraries.just("s3://snapshots/shop?endpoint=http://127.0.0.1:9000&region=us-east-1"),
                Arbitraries.just(SnapshotSpec.DEFAULT_STORE));
        Arbitrary<List<String>> kinds = Arbitraries.of("deployments", "services", "configmaps", "secrets",
                "certificates.cert-manager.io").list().ofMaxSize(3);
        Arbitrary<Optional<SnapshotSpec.KeySource>> key = Arbitraries.oneOf(
                Arbitraries.just(Optional.empty()),
                Arbitraries.of("PROGRESSIVE_SNAPSHOT_KEY", "_K1").map(v -> Optional.of(new SnapshotSpec.KeySource.Env(v))),
                text().map(f -> Optional.of(new SnapshotSpec.KeySource.File(f))));
        Arbitrary<SnapshotSpec.Hook> hook = Arbitraries.oneOf(
                text().list().ofMinSize(1).ofMaxSize(4).map(SnapshotSpec.Hook.Local::new),
                Combinators.combine(dnsLabel(63), dnsLabel(63).optional(), text().list().ofMinSize(1).ofMaxSize(4))
                        .as(SnapshotSpec.Hook.Exec::new));
        Arbitrary<SnapshotSpec> some = Combinators.combine(Arbitraries.of(true, false), store,
                dnsLabel(63).list().ofMaxSize(2), kinds, text().optional(), kinds, key,
                hook.list().ofMaxSize(2)).flatAs((enabled, st, ns, inc, sel, exc, k, pre) ->
                        hook.list().ofMaxSize(2).map(restore -> new SnapshotSpec(enabled, st, ns, inc, sel, exc, k, pre, restore)));
        return Arbitraries.oneOf(Arbitraries.just(SnapshotSpec.DISABLED), some);
    }
}
