package io.jenkins.plugins.progressive.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Resolves a credential name from a template ({@code prometheus.credentials}, or {@code {{secret:NAME}}} in a
 * web header) to its secret. Jenkins resolves names as credentials ids; the CLI reads the environment.
 *
 * <p>Secrets print as {@code ****}: they must never reach a log, an exception message or a snapshot.
 */
@FunctionalInterface
public interface Credentials {

    /** The secret named {@code name}, or empty when there is none. */
    Optional<Secret> find(String name);

    /** No credentials at all: any template naming one fails with a clear error. */
    static Credentials none() {
        return name -> Optional.empty();
    }

    /** A fixed set, e.g. for tests or a shared library. */
    static Credentials of(Map<String, ? extends Secret> secrets) {
        Map<String, Secret> copy = Map.copyOf(secrets);
        return name -> Optional.ofNullable(copy.get(name));
    }

    /**
     * Reads the environment (for the CLI): {@code NAME} holds a bearer token; {@code NAME_USERNAME} and
     * {@code NAME_PASSWORD} together hold a user and password for basic authentication.
     */
    static Credentials fromEnvironment(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return name -> {
            String user = copy.get(name + "_USERNAME");
            String password = copy.get(name + "_PASSWORD");
            if (user != null && password != null) {
                return Optional.of(new UsernamePassword(user, password));
            }
            return Optional.ofNullable(copy.get(name)).map(BearerToken::new);
        };
    }

    /** A secret value. {@code toString()} never shows it. */
    sealed interface Secret permits BearerToken, UsernamePassword {

        /** The value a {@code {{secret:NAME}}} header reference stands for. */
        String headerValue();
    }

    /** Sent as {@code Authorization: Bearer <token>}. */
    record BearerToken(String token) implements Secret {
        public BearerToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String headerValue() {
            return token;
        }

        @Override
        public String toString() {
            return "BearerToken[****]";
        }
    }

    /** Sent as HTTP basic authentication. In a web header reference it stands for the password. */
    record UsernamePassword(String username, String password) implements Secret {
        public UsernamePassword {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String headerValue() {
            return password;
        }

        @Override
        public String toString() {
            return "UsernamePassword[username=" + username + ", password=****]";
        }
    }
}
