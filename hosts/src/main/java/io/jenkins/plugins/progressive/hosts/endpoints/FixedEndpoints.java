package io.jenkins.plugins.progressive.hosts.endpoints;

import io.jenkins.plugins.progressive.rollout.Role;
import io.jenkins.plugins.progressive.rollout.RoleStatus;
import io.jenkins.plugins.progressive.rollout.Workload;
import io.jenkins.plugins.progressive.spec.Target;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Instances that already run elsewhere; only traffic is managed. {@link #scale} starts nothing: a role
 * scaled to N &gt; 0 is put in routing with all its endpoints (whatever N is, the endpoints are what they
 * are), scaled to 0 it is taken out. The stable role is in routing from the start, with an unknown version
 * until the first {@code scale}.
 */
public final class FixedEndpoints implements Workload {

    private final Map<Role, List<String>> endpoints = new EnumMap<>(Role.class);
    private final Map<Role, Scaled> scaled = new EnumMap<>(Role.class);
    private final Optional<String> healthPath;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private record Scaled(Optional<String> version, int replicas) {
    }

    /** @param healthPath an HTTP path each endpoint must answer 2xx on to count as ready; empty: always ready */
    public FixedEndpoints(Target.Endpoints target, Optional<String> healthPath) {
        if (target.stable().isEmpty()) {
            throw new IllegalArgumentException("target.endpoints.stable must list at least one host:port");
        }
        for (Role role : Role.values()) {
            List<String> list = role == Role.STABLE ? target.stable() : target.canary();
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).matches("[^\\s:/]+:\\d{1,5}")) {
                    throw new IllegalArgumentException("target.endpoints." + role.name().toLowerCase(Locale.ROOT) + "["
                            + i + "] must be host:port, got '" + list.get(i) + "'");
                }
            }
            endpoints.put(role, list);
        }
        this.healthPath = healthPath;
        scaled.put(Role.STABLE, new Scaled(Optional.empty(), target.stable().size()));
    }

    /** The role's endpoints while it is in routing, else nothing. */
    public synchronized List<String> addresses(Role role) {
        Scaled s = scaled.get(role);
        return s == null || s.replicas() == 0 ? List.of() : endpoints.get(role);
    }

    @Override
    public synchronized RoleStatus status(Role role) {
        Scaled s = scaled.get(role);
        if (s == null || s.replicas() == 0) {
            return RoleStatus.NONE;
        }
        List<String> list = endpoints.get(role);
        if (list.isEmpty()) {
            return new RoleStatus(s.version(), s.replicas(), 0, 0, Optional.of("target.endpoints."
                    + role.name().toLowerCase(Locale.ROOT) + " is empty: there is nothing to route to"));
        }
        boolean healthy = list.stream().allMatch(this::healthy);
        return new RoleStatus(s.version(), s.replicas(), s.replicas(), healthy ? s.replicas() : 0, Optional.empty());
    }

    @Override
    public synchronized void scale(Role role, String version, int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
        }
        scaled.put(role, new Scaled(Optional.of(version), replicas));
    }

    @Override
    public int size() {
        return endpoints.get(Role.STABLE).size();
    }

    private boolean healthy(String endpoint) {
        if (healthPath.isEmpty()) {
            return true;
        }
        String path = healthPath.get().startsWith("/") ? healthPath.get() : "/" + healthPath.get();
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + path))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
