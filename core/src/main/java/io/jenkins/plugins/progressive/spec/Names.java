package io.jenkins.plugins.progressive.spec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The syntax of names and addresses a spec may hold, with how each is described to the user. */
final class Names {

    static final String NAME = "a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a"
            + " letter or digit), at most 53 characters so that suffixes like '-canary' fit";
    static final String DNS_LABEL = "a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a"
            + " letter or digit), at most 63 characters";
    static final String DNS_SUBDOMAIN = "a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'),"
            + " at most 253 characters";
    static final String VERSION = "a non-empty release name without spaces, e.g. 1.4.2";
    static final String IMAGE_TAG = "a valid image tag: letters, digits, '_', '.' and '-', not starting with '.'"
            + " or '-', at most 128 characters";
    static final String LABEL_VALUE = "a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.',"
            + " starting and ending with a letter or digit";
    static final String TEMPLATE_NAME = "a template name of letters, digits, '-' and '_'";
    static final String HOST_PORT = "host:port, e.g. 127.0.0.1:8080";
    static final String HTTP_URL = "an http:// or https:// URL with a host and no user or password, e.g."
            + " http://127.0.0.1:9090";
    static final String ENV_VAR = "an environment variable name (letters, digits and '_', not starting with a digit)";
    static final String NON_BLANK = "a non-empty string";
    static final List<String> TEMPLATE_VARIABLES = List.of("canary.version", "stable.version", "name", "namespace");

    private static final Pattern DNS_LABEL_RE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN_RE = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern IMAGE_TAG_RE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern LABEL_VALUE_RE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
    private static final Pattern TEMPLATE_NAME_RE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    private static final Pattern HOST_PORT_RE = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):(\\d{1,5})");
    private static final Pattern ENV_VAR_RE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** As the metric providers substitute them: spaces inside the braces are allowed. */
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

    private Names() {
    }

    static boolean isName(String s) {
        return s.length() <= 53 && DNS_LABEL_RE.matcher(s).matches();
    }

    static boolean isDnsLabel(String s) {
        return s.length() <= 63 && DNS_LABEL_RE.matcher(s).matches();
    }

    static boolean isDnsSubdomain(String s) {
        return s.length() <= 253 && DNS_SUBDOMAIN_RE.matcher(s).matches();
    }

    static boolean isVersion(String s) {
        return !s.isEmpty() && s.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }

    static boolean isImageTag(String s) {
        return IMAGE_TAG_RE.matcher(s).matches();
    }

    static boolean isLabelValue(String s) {
        return s.length() <= 63 && LABEL_VALUE_RE.matcher(s).matches();
    }

    static boolean isTemplateName(String s) {
        return TEMPLATE_NAME_RE.matcher(s).matches();
    }

    static boolean isHostPort(String s) {
        Matcher m = HOST_PORT_RE.matcher(s);
        if (!m.matches()) {
            return false;
        }
        int port = Integer.parseInt(m.group(2));
        return port >= 1 && port <= 65535;
    }

    static boolean isEnvVar(String s) {
        return ENV_VAR_RE.matcher(s).matches();
    }

    static boolean nonBlank(String s) {
        return !s.isBlank();
    }

    /**
     * An http(s) URL with a host and without a user or password (credentials go in {@code credentials} or a
     * header), once any {@code {{variable}}} is replaced by a plain word.
     */
    static boolean isHttpUrl(String s) {
        try {
            URI uri = new URI(VARIABLE.matcher(s).replaceAll("x"));
            String scheme = uri.getScheme();
            return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null
                    && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The {@code {{...}}} variables in {@code s} that are not in {@code allowed}, as written. */
    static List<String> unknownVariables(String s, Set<String> allowed) {
        List<String> out = new ArrayList<>();
        Matcher m = VARIABLE.matcher(s);
        while (m.find()) {
            if (!allowed.contains(m.group(1)) && !(allowed.contains("secret:") && m.group(1).matches("secret:[A-Za-z0-9_.-]+"))) {
                out.add(m.group());
            }
        }
        return out;
    }

    /** Records a problem for each unknown template variable in the string at {@code at}. */
    static void checkVariables(At at, String value, boolean secretsAllowed) {
        if (value == null) {
            return;
        }
        Set<String> allowed = new java.util.HashSet<>(TEMPLATE_VARIABLES);
        if (secretsAllowed) {
            allowed.add("secret:");
        }
        for (String unknown : unknownVariables(value, allowed)) {
            at.problem("unknown template variable '" + unknown + "'; allowed: {{canary.version}}, {{stable.version}},"
                    + " {{name}}, {{namespace}}" + (secretsAllowed ? ", {{secret:NAME}}" : ""));
        }
    }
}
