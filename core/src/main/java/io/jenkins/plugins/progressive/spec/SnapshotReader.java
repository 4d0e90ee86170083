package io.jenkins.plugins.progressive.spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code snapshot} section: what is saved before the first action, where, and how Secrets are sealed. */
final class SnapshotReader {

    static final List<String> FIELDS = List.of("enabled", "store", "include", "exclude", "excludeSecrets", "encryptionKey",
            "hooks");
    static final String STORE = "file:<directory> or s3://bucket/prefix?endpoint=...&region=...";
    static final String KIND = "a resource kind in plural lowercase, e.g. deployments";

    private SnapshotReader() {
    }

    static SnapshotSpec read(At at) {
        if (!at.present()) {
            return SnapshotSpec.DISABLED;
        }
        if (!at.mapping(FIELDS)) {
            return null;
        }
        int before = at.problems.size();
        Boolean enabled = at.field("enabled").bool();
        String store = at.field("store").string(STORE, SnapshotReader::isStore);
        Boolean excludeSecrets = at.field("excludeSecrets").bool();

        List<String> namespaces = List.of();
        List<String> kinds = List.of();
        Optional<String> selector = Optional.empty();
        At include = at.field("include");
        if (include.mapping(List.of("namespaces", "kinds", "labelSelector"))) {
            namespaces = orEmpty(include.field("namespaces").strings(Names.DNS_LABEL, Names::isDnsLabel, false));
            kinds = orEmpty(include.field("kinds").strings(KIND, SnapshotReader::isKind, false));
            selector = include.field("labelSelector").optionalString("a label selector, e.g. app=shop",
                    Names::nonBlank);
        }
        List<String> excluded = List.of();
        At exclude = at.field("exclude");
        if (exclude.mapping(List.of("kinds"))) {
            excluded = orEmpty(exclude.field("kinds").strings(KIND, SnapshotReader::isKind, false));
        }

        Optional<SnapshotSpec.KeySource> key = Optional.empty();
        At keyAt = at.field("encryptionKey");
        if (keyAt.mapping(List.of("env", "file"))) {
            key = Optional.ofNullable(keyAt.readOne(List.of("env", "file"), (which, source) -> "env".equals(which)
                    ? Optional.ofNullable(TargetReader.required(source, Names.ENV_VAR, Names::isEnvVar))
                            .map(SnapshotSpec.KeySource.Env::new).orElse(null)
                    : Optional.ofNullable(TargetReader.required(source, "a file path", Names::nonBlank))
                            .map(SnapshotSpec.KeySource.File::new).orElse(null)));
        }

        List<SnapshotSpec.Hook> pre = List.of();
        List<SnapshotSpec.Hook> restore = List.of();
        List<SnapshotSpec.Hook> post = List.of();
        At hooks = at.field("hooks");
        if (hooks.mapping(List.of("pre", "post", "restore"))) {
            pre = hooks(hooks.field("pre"));
            post = hooks(hooks.field("post"));
            restore = hooks(hooks.field("restore"));
        }
        if (at.problems.size() > before) {
            return null;
        }
        return new SnapshotSpec(enabled == null || enabled, store == null ? SnapshotSpec.DEFAULT_STORE : store,
                namespaces, kinds, selector, excluded, key, pre, restore, excludeSecrets != null && excludeSecrets, post);
    }

    private static List<SnapshotSpec.Hook> hooks(At at) {
        List<SnapshotSpec.Hook> out = new ArrayList<>();
        for (At hook : at.items("a list of hooks, each {local: [command...]} or {exec: {pod, container, command}}")) {
            if (!hook.required("exactly one of local, exec") || !hook.mapping(List.of("local", "exec"))) {
                continue;
            }
            SnapshotSpec.Hook read = hook.readOne(List.of("local", "exec"),
                    (kind, chosen) -> "local".equals(kind) ? local(chosen) : exec(chosen));
            if (read != null) {
                out.add(read);
            }
        }
        return out;
    }

    private static SnapshotSpec.Hook local(At c) {
        List<String> command = c.required("a list of strings (the program and its arguments)")
                ? c.strings("string", Names::nonBlank, true) : null;
        return command == null ? null : new SnapshotSpec.Hook.Local(command);
    }

    private static SnapshotSpec.Hook exec(At e) {
        if (!e.required("a mapping with pod, container, command")
                || !e.mapping(List.of("pod", "container", "command"))) {
            return null;
        }
        String pod = TargetReader.required(e.field("pod"), Names.DNS_SUBDOMAIN, Names::isDnsSubdomain);
        Optional<String> container = e.field("container").optionalString(Names.DNS_LABEL, Names::isDnsLabel);
        At c = e.field("command");
        List<String> command = c.required("a list of strings (the program and its arguments)")
                ? c.strings("string", Names::nonBlank, true) : null;
        return pod != null && command != null ? new SnapshotSpec.Hook.Exec(pod, container, command) : null;
    }

    static boolean isStore(String s) {
        if (s.startsWith("file:")) {
            return s.length() > 5 && !s.substring(5).isBlank();
        }
        if (!s.startsWith("s3://")) {
            return false;
        }
        try {
            URI uri = new URI(s);
            String bucket = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
            return bucket != null && bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isKind(String s) {
        return s.matches("[a-z0-9]+(\\.[a-z0-9.-]+)?");
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }
}
