package io.jenkins.plugins.progressive.cli.demo;

import io.jenkins.plugins.progressive.hosts.demo.DemoService;
import java.util.ArrayList;
import java.util.List;

/**
 * One demo instance, as the local target starts it: a {@link DemoService} that fails a share of its requests
 * when its version is the one {@code --failing-version} names (the same command starts both versions).
 */
public final class DemoInstance {

    private DemoInstance() {
    }

    public static void main(String[] args) {
        List<String> pass = new ArrayList<>();
        String version = null;
        String failing = null;
        String errorRate = "0.3";
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--failing-version" -> {
                    failing = value;
                    i++;
                }
                case "--error-rate" -> {
                    errorRate = value;
                    i++;
                }
                default -> {
                    if ("--version".equals(args[i])) {
                        version = value;
                    }
                    pass.add(args[i]);
                }
            }
        }
        if (failing != null && failing.equals(version)) {
            pass.add("--error-rate");
            pass.add(errorRate);
        }
        DemoService.main(pass.toArray(String[]::new));
    }
}
