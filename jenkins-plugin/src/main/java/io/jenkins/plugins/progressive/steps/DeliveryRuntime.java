package io.jenkins.plugins.progressive.steps;

import hudson.Extension;
import hudson.ExtensionList;
import hudson.model.Run;
import io.jenkins.plugins.progressive.configuration.ProgressiveConfiguration;
import io.jenkins.plugins.progressive.engine.EngineDriver;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.util.Timer;

/**
 * Where step executions run: Jenkins' {@link Timer} keeps the wake-up times (one queue for every rollout), and a
 * small pool of the plugin's own does the work, so a slow engine call never delays Jenkins' other timers and no
 * rollout owns a thread while it waits.
 */
@Extension
public final class DeliveryRuntime {

    private static final Logger LOGGER = Logger.getLogger(DeliveryRuntime.class.getName());
    private static final int WORKERS = 2;

    /** After an engine call fails (the engine unreachable, an I/O error), the next try comes this much later. */
    private static final Duration RETRY_DELAY = Duration.ofSeconds(5);

    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final Duration retryDelay;
    private volatile RolloutDriver driver;
    private volatile Function<Run<?, ?>, RolloutDriver.CredentialLookup> credentials = BuildCredentials::of;
    private volatile Supplier<CommandCaller> callers = CommandCaller::current;

    /** Jenkins' instance: the engine comes up at the first step that needs it ({@link #driver()}). */
    public DeliveryRuntime() {
        this(null, newWorkerPool(), null, RETRY_DELAY);
    }

    /** @param scheduler {@code null} means Jenkins' {@link Timer} */
    DeliveryRuntime(ScheduledExecutorService scheduler, ExecutorService workers, RolloutDriver driver,
            Duration retryDelay) {
        this.scheduler = scheduler;
        this.workers = workers;
        this.driver = driver;
        this.retryDelay = retryDelay;
    }

    Duration retryDelay() {
        return retryDelay;
    }

    static DeliveryRuntime get() {
        return ExtensionList.lookupSingleton(DeliveryRuntime.class);
    }

    /** The engine behind the steps; on the controller, {@link EngineDriver} on {@code $JENKINS_HOME}. */
    RolloutDriver driver() {
        RolloutDriver current = driver;
        if (current == null) {
            synchronized (this) {
                if (driver == null) {
                    driver = controllerDriver();
                }
                current = driver;
            }
        }
        return current;
    }

    private RolloutDriver controllerDriver() {
        try {
            return EngineDriver.forController(Jenkins.get().getRootDir().toPath(), this::schedule,
                    () -> ProgressiveConfiguration.get().controllerAccess());
        } catch (RuntimeException e) {
            // steps then fail (or, resumed, retry) with "not available" instead of a stack trace per build
            LOGGER.log(Level.WARNING, "the progressive delivery engine cannot start", e);
            return RolloutDriver.unavailable();
        }
    }

    /** Puts the engine behind the steps (the engine wiring does this at start-up; JenkinsRule tests use a fake). */
    public void useDriver(RolloutDriver newDriver) {
        this.driver = newDriver;
    }

    /** A build's credentials, as the engine reads them ({@code null}: a step without a build). */
    RolloutDriver.CredentialLookup credentials(Run<?, ?> run) {
        return credentials.apply(run);
    }

    /** Who sends a command now: call it where the build's authentication is the thread's (the CPS VM thread). */
    CommandCaller caller() {
        return callers.get();
    }

    /** Portable tests: credentials and callers outside Jenkins. */
    void useCredentials(Function<Run<?, ?>, RolloutDriver.CredentialLookup> lookup) {
        this.credentials = lookup;
    }

    void useCallers(Supplier<CommandCaller> callerOf) {
        this.callers = callerOf;
    }

    /** Runs {@code work} on the plugin's pool after {@code delay}. */
    Future<?> schedule(Runnable work, Duration delay) {
        ScheduledExecutorService timer = scheduler != null ? scheduler : Timer.get();
        return timer.schedule(() -> workers.execute(work), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private static ExecutorService newWorkerPool() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "progressive-delivery-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
