package io.jenkins.plugins.progressive.steps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.progressive.configuration.Servers;
import io.jenkins.plugins.progressive.spec.SpecProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a step's parameters become while they are bound: a JSON tree with the spec's field names, the problems found
 * on the way, the cluster the step names and operation options. Steps add to it from the most general class down.
 */
final class Binding {

    final Servers servers;
    private final ObjectNode tree = JsonNodeFactory.instance.objectNode();
    private final List<SpecProblem> problems = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private RolloutDriver.ClusterConnection cluster;

    Binding(Servers servers) {
        this.servers = servers;
    }

    ObjectNode tree() {
        return tree;
    }

    /** The object at {@code path}, created (with its parents) when missing. */
    ObjectNode object(String... path) {
        ObjectNode node = tree;
        for (String field : path) {
            JsonNode child = node.get(field);
            node = child instanceof ObjectNode o ? o : node.putObject(field);
        }
        return node;
    }

    /** Sets {@code field} of the object at {@code path} when {@code value} is not blank. */
    void text(String value, String field, String... path) {
        if (value != null && !value.isBlank()) {
            object(path).put(field, value.trim());
        }
    }

    void problem(String path, String message) {
        problems.add(new SpecProblem(path, message));
    }

    List<SpecProblem> problems() {
        return problems;
    }

    void option(String key, String value) {
        if (value != null && !value.isBlank()) {
            options.put(key, value.trim());
        }
    }

    Map<String, String> options() {
        return options;
    }

    void cluster(RolloutDriver.ClusterConnection connection) {
        this.cluster = connection;
    }

    RolloutDriver.ClusterConnection cluster() {
        return cluster;
    }
}
