package io.jenkins.plugins.progressive.engine;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.AbortException;
import io.jenkins.plugins.progressive.metrics.Credentials;
import io.jenkins.plugins.progressive.steps.RolloutDriver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Metric credentials come from the build's Jenkins credentials, in the forms the providers send. */
class MetricCredentialsTest {

    private static final RolloutDriver.CredentialLookup STORE = id -> switch (id) {
        case "prom-token" -> new RolloutDriver.Credential.Token("s3cr3t-token");
        case "prom-user" -> new RolloutDriver.Credential.UsernamePassword("grafana", "hunter2");
        case "kubeconfig" -> new RolloutDriver.Credential.File(new byte[] {1, 2, 3});
        default -> throw new AbortException("credential '" + id + "' does not exist, or this build may not use it");
    };

    @Test
    void secretTextIsABearerTokenAndUsernamePasswordIsBasic() {
        MetricCredentials credentials = new MetricCredentials(() -> STORE);

        Optional<Credentials.Secret> token = credentials.find("prom-token");
        assertThat(token).get().isInstanceOf(Credentials.BearerToken.class);
        assertThat(((Credentials.BearerToken) token.get()).token()).isEqualTo("s3cr3t-token");
        assertThat(token.get().toString()).doesNotContain("s3cr3t");

        Optional<Credentials.Secret> basic = credentials.find("prom-user");
        assertThat(basic).get().isInstanceOf(Credentials.UsernamePassword.class);
        assertThat((Credentials.UsernamePassword) basic.get())
                .isEqualTo(new Credentials.UsernamePassword("grafana", "hunter2"));
        assertThat(basic.get().toString()).doesNotContain("hunter2");
    }

    @Test
    void unknownOrUnusableCredentialsAreAbsentAndOnlyTheirIdIsLogged() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(MetricCredentials.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        try {
            MetricCredentials credentials = new MetricCredentials(() -> STORE);
            assertThat(credentials.find("nope")).isEmpty();
            assertThat(credentials.find("kubeconfig")).isEmpty();
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(level);
        }
        assertThat(records).hasSize(2);
        assertThat(records.get(0).getParameters()).contains("nope");
    }

    @Test
    void theLookupIsReadAtEachUseSoAResumedBuildsCredentialsApply() {
        RolloutDriver.CredentialLookup[] current = {RolloutDriver.CredentialLookup.NONE};
        MetricCredentials credentials = new MetricCredentials(() -> current[0]);
        assertThat(credentials.find("prom-token")).isEmpty();
        current[0] = STORE;
        assertThat(credentials.find("prom-token")).isPresent();
    }
}
