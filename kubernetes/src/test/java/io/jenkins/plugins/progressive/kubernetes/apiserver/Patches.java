package io.jenkins.plugins.progressive.kubernetes.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Iterator;
import java.util.Map;

/** The three patch formats a real API server accepts for built-in kinds. */
final class Patches {

    private Patches() {
    }

    /** RFC 6902. */
    static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        return JsonPatch.apply(patch, target);
    }

    /** RFC 7386: objects merge, null deletes, everything else (lists included) replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /**
     * Strategic merge patch, for the fields our code and fabric8 touch: like a merge patch, but lists of
     * objects with a known merge key (containers by name, ports by port, env by name…) merge element-wise,
     * and the {@code $patch: replace|delete} directives are honoured. Other lists replace.
     */
    static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        String directive = patch.path("$patch").asText("");
        if (directive.equals("replace")) {
            ObjectNode copy = ((ObjectNode) patch).deepCopy();
            copy.remove("$patch");
            return copy;
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.startsWith("$")) {
                continue; // $setElementOrder, $retainKeys: ordering hints we do not need
            }
            if (value.isNull()) {
                result.remove(key);
            } else if (value.isArray() && result.path(key).isArray() && mergeKey(key, value) != null) {
                result.set(key, mergeList((ArrayNode) result.get(key), (ArrayNode) value, mergeKey(key, value)));
            } else if (value.isObject() && "delete".equals(value.path("$patch").asText())) {
                result.remove(key);
            } else {
                result.set(key, strategicMergePatch(result.get(key), value));
            }
        }
        return result;
    }

    private static String mergeKey(String field, JsonNode list) {
        JsonNode first = list.size() > 0 ? list.get(0) : null;
        if (first == null || !first.isObject()) {
            return null;
        }
        return switch (field) {
            case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets" -> "name";
            case "volumeMounts" -> "mountPath";
            case "ports" -> first.has("containerPort") ? "containerPort" : "port";
            case "conditions" -> "type";
            case "ownerReferences" -> "uid";
            default -> null;
        };
    }

    private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, String key) {
        ArrayNode result = current.deepCopy();
        for (JsonNode item : patch) {
            JsonNode id = item.path(key);
            int index = -1;
            for (int i = 0; i < result.size(); i++) {
                if (result.get(i).path(key).equals(id)) {
                    index = i;
                    break;
                }
            }
            if ("delete".equals(item.path("$patch").asText())) {
                if (index >= 0) {
                    result.remove(index);
                }
            } else if (index >= 0) {
                result.set(index, strategicMergePatch(result.get(index), item));
            } else {
                result.add(strategicMergePatch(null, item));
            }
        }
        return result;
    }
}
