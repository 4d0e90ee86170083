package io.jenkins.plugins.progressive.kubernetes;

import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a page of docs/ shows: its YAML documents, and the one RBAC Role among them. */
public final class DocsManifests {

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    private DocsManifests() {
    }

    /** Every YAML document in the page's {@code ```yaml} blocks, in order. */
    public static List<String> yamlDocuments(String page) {
        String text;
        try {
            text = Files.readString(docs().resolve(page));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> out = new ArrayList<>();
        Matcher m = YAML_BLOCK.matcher(text);
        while (m.find()) {
            for (String doc : m.group(1).split("(?m)^---\\s*$")) {
                if (!doc.isBlank()) {
                    out.add(doc);
                }
            }
        }
        return out;
    }

    /** The page's Role, exactly as a user would apply it; the page must show exactly one. */
    public static Role role(String page) {
        List<Role> roles = yamlDocuments(page).stream().filter(d -> d.contains("kind: Role\n"))
                .map(d -> Serialization.unmarshal(d, Role.class)).toList();
        if (roles.size() != 1) {
            throw new AssertionError("docs/" + page + " shows " + roles.size() + " Roles, not one");
        }
        return roles.get(0);
    }

    /** docs/ of the repository, from the module's directory (where Maven runs the tests) or from the root. */
    private static Path docs() {
        Path up = Path.of("..", "docs");
        return Files.isDirectory(up) ? up : Path.of("docs");
    }
}
