package io.jenkins.plugins.progressive.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns YAML or JSON text into a plain tree, and nothing else: no tags (so no Java types), no duplicate keys,
 * aliases expanded only within a budget (billion laughs), bounded size and depth. It reads the token stream
 * itself instead of using a databind reader so that each of these is a {@link SpecProblem}, not an exception.
 */
final class SafeTree {

    static final int MAX_CHARS = 1_000_000;
    static final int MAX_DEPTH = 64;
    /** Values in the tree after alias expansion; a real spec has a few hundred. */
    static final int MAX_VALUES = 100_000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> PLAIN_TAGS = Set.of("str", "int", "float", "bool", "null", "seq", "map")
            .stream().map(t -> "tag:yaml.org,2002:" + t).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private static final YAMLFactory YAML;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    static {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported by this reader, with the key's path
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(MAX_CHARS);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        YAML = YAMLFactory.builder().loaderOptions(options)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // `field:` with nothing is "not given"
                .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS) // yes/no/on/off stay words
                .build();
    }

    private final Problems problems;
    private final boolean yaml;
    private final Map<String, JsonNode> anchors = new HashMap<>();
    private int values;

    private SafeTree(Problems problems, boolean yaml) {
        this.problems = problems;
        this.yaml = yaml;
    }

    /** The tree of {@code text}, or {@link MissingNode} for an empty document or when a problem was added. */
    static JsonNode parse(String text, SpecReader.Format format, Problems problems) {
        if (text.length() > MAX_CHARS) {
            problems.add("", "the document has " + text.length() + " characters; allowed: at most " + MAX_CHARS);
            return MissingNode.getInstance();
        }
        boolean yaml = format == SpecReader.Format.YAML;
        SafeTree reader = new SafeTree(problems, yaml);
        int before = problems.size();
        try (JsonParser p = yaml ? YAML.createParser(text) : JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return MissingNode.getInstance();
            }
            JsonNode root = reader.value(p, "", 0);
            JsonToken next = p.nextToken();
            if (next == null && yaml) {
                next = p.nextToken(); // a YAML stream ends each document with null
            }
            if (next != null) {
                problems.add("", yaml ? "the file holds more than one YAML document; allowed: exactly one"
                        : "unexpected text after the JSON document; allowed: exactly one document");
            }
            return problems.size() > before ? MissingNode.getInstance() : root;
        } catch (Stop stop) {
            return MissingNode.getInstance();
        } catch (JsonProcessingException e) {
            problems.add("", "not valid " + format + ": " + syntaxMessage(e));
            return MissingNode.getInstance();
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports its own limits (code points, nesting) as unchecked exceptions
            problems.add("", "not valid " + format + ": " + firstLine(e.getMessage()));
            return MissingNode.getInstance();
        }
    }

    private JsonNode value(JsonParser p, String path, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            problems.add(path, "nested more than " + MAX_DEPTH + " levels deep; allowed: at most " + MAX_DEPTH);
            throw new Stop();
        }
        if (++values > MAX_VALUES) {
            problems.add(path, "the document has more than " + MAX_VALUES
                    + " values (after expanding YAML aliases); allowed: at most " + MAX_VALUES);
            throw new Stop();
        }
        String anchor = null;
        if (yaml) {
            YAMLParser y = (YAMLParser) p;
            if (y.isCurrentAlias()) {
                return alias(y.getText(), path);
            }
            String tag = y.getTypeId();
            if (tag != null && !PLAIN_TAGS.contains(tag)) {
                problems.add(path, "the YAML tag '" + shortTag(tag)
                        + "' is not allowed; allowed: plain values without tags");
                throw new Stop();
            }
            anchor = y.getObjectId();
        }
        JsonNode node = switch (p.currentToken()) {
            case START_OBJECT -> object(p, path, depth);
            case START_ARRAY -> array(p, path, depth);
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number(p);
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> {
                problems.add(path, "unexpected " + p.currentToken() + "; allowed: mappings, lists and plain values");
                throw new Stop();
            }
        };
        if (anchor != null) {
            anchors.put(anchor, node);
        }
        return node;
    }

    private JsonNode object(JsonParser p, String path, int depth) throws IOException {
        ObjectNode node = NODES.objectNode();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            String childPath = Problems.child(path, key);
            p.nextToken();
            JsonNode child = value(p, childPath, depth + 1);
            if (node.has(key)) {
                problems.add(childPath, "the key '" + key + "' appears twice; allowed: each key once");
            } else {
                node.set(key, child);
            }
        }
        if (t != JsonToken.END_OBJECT) {
            problems.add(path, "a mapping key that is not a plain string; allowed: string keys");
            throw new Stop();
        }
        return node;
    }

    private JsonNode array(JsonParser p, String path, int depth) throws IOException {
        ArrayNode node = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            node.add(value(p, path + "[" + node.size() + "]", depth + 1));
        }
        return node;
    }

    /** Numbers keep their written digits ({@code 1.10} stays {@code 1.10}) so a version written unquoted survives. */
    private static JsonNode number(JsonParser p) throws IOException {
        String text = p.getText();
        try {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            }
            return NODES.numberNode(p.getDecimalValue());
        } catch (IOException | NumberFormatException e) {
            return NODES.textNode(text); // .inf, .nan: not a number any field accepts
        }
    }

    private JsonNode alias(String name, String path) {
        JsonNode target = anchors.get(name);
        if (target == null) {
            // Jackson's YAML parser does not expose anchors of single values, only of mappings and lists
            problems.add(path, "the YAML alias '*" + name + "' does not refer to an anchored mapping or list;"
                    + " allowed: aliases of mappings and lists anchored earlier");
            throw new Stop();
        }
        values += count(target);
        if (values > MAX_VALUES) {
            problems.add(path, "the document has more than " + MAX_VALUES
                    + " values after expanding YAML aliases (an alias bomb?); allowed: at most " + MAX_VALUES);
            throw new Stop();
        }
        return target.deepCopy();
    }

    private static int count(JsonNode node) {
        int n = 1;
        for (JsonNode child : node) {
            n += count(child);
        }
        return n;
    }

    private static String shortTag(String tag) {
        if (tag.startsWith("tag:yaml.org,2002:")) {
            return "!!" + tag.substring("tag:yaml.org,2002:".length());
        }
        return tag.startsWith("!") ? tag : "!" + tag;
    }

    private static String syntaxMessage(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
            return (y.getContext() == null ? "" : y.getContext() + ": ") + y.getProblem() + " (line "
                    + (y.getProblemMark().getLine() + 1) + ", column " + (y.getProblemMark().getColumn() + 1) + ")";
        }
        String msg = firstLine(e.getOriginalMessage());
        var loc = e.getLocation();
        return loc == null || loc.getLineNr() < 1 ? msg : msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Ends reading after a problem that makes the rest of the document meaningless. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }
}
