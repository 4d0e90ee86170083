package io.jenkins.plugins.progressive.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --set key=value}: dotted paths with list indexes ({@code strategy.canary.steps[0].setWeight=10}), applied
 * to the tree before it is read so that a bad value is reported at the same path as in a file.
 */
final class Overrides {

    static final String KEY = "a dotted path like version, analysis.error-rate.count or strategy.canary.steps[0].setWeight";
    private static final Pattern KEY_RE = Pattern.compile("[A-Za-z0-9_-]+(\\[\\d{1,6}\\])*(\\.[A-Za-z0-9_-]+(\\[\\d{1,6}\\])*)*");
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z0-9_-]+)|\\[(\\d+)\\]");

    private Overrides() {
    }

    /** Applies every override to {@code root} (an object), recording a problem at the key of each that cannot be. */
    static void apply(ObjectNode root, Map<String, String> overrides, Problems problems) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = e.getKey() == null ? "" : e.getKey().trim();
            if (!KEY_RE.matcher(key).matches()) {
                problems.add(key, "cannot set '" + key + "': not a field path; allowed: " + KEY);
                continue;
            }
            set(root, key, value(e.getValue()), problems);
        }
    }

    /** The value as a YAML scalar ({@code 3} a number, {@code true} a boolean); anything else is its text. */
    static JsonNode value(String text) {
        if (text == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        Problems ignored = new Problems();
        JsonNode n = SafeTree.parse(text, SpecReader.Format.YAML, ignored);
        if (!ignored.isEmpty() || n.isContainerNode()) {
            return TextNode.valueOf(text);
        }
        return n.isMissingNode() ? JsonNodeFactory.instance.nullNode() : n;
    }

    private static void set(ObjectNode root, String key, JsonNode value, Problems problems) {
        List<Object> segments = new ArrayList<>();
        Matcher m = SEGMENT.matcher(key);
        while (m.find()) {
            segments.add(m.group(1) != null ? m.group(1) : Integer.valueOf(m.group(2)));
        }
        JsonNode cur = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            Object seg = segments.get(i);
            boolean last = i == segments.size() - 1;
            String parentPath = path.length() == 0 ? "the spec" : "'" + path + "'";
            if (seg instanceof String name) {
                if (!(cur instanceof ObjectNode obj)) {
                    problems.add(key, "cannot set '" + key + "': " + parentPath + " is " + At.describe(cur)
                            + ", not a mapping; allowed: paths through mappings and existing list items");
                    return;
                }
                path.append(path.length() == 0 ? "" : ".").append(name);
                if (last) {
                    obj.set(name, value);
                    return;
                }
                JsonNode next = obj.get(name);
                if (next == null || next.isNull()) {
                    if (segments.get(i + 1) instanceof Integer) {
                        problems.add(key, "cannot set '" + key + "': '" + path + "' has no list; allowed: indexes of"
                                + " an existing list");
                        return;
                    }
                    next = obj.putObject(name);
                }
                cur = next;
            } else {
                int index = (Integer) seg;
                if (!(cur instanceof ArrayNode arr)) {
                    problems.add(key, "cannot set '" + key + "': " + parentPath + " is " + At.describe(cur)
                            + ", not a list; allowed: indexes of an existing list");
                    return;
                }
                if (index >= arr.size()) {
                    problems.add(key, "cannot set '" + key + "': '" + path + "' has " + arr.size() + " item"
                            + (arr.size() == 1 ? "" : "s") + "; allowed: "
                            + (arr.isEmpty() ? "no index" : "indexes 0.." + (arr.size() - 1)));
                    return;
                }
                path.append('[').append(index).append(']');
                if (last) {
                    arr.set(index, value);
                    return;
                }
                cur = arr.get(index);
            }
        }
    }
}
