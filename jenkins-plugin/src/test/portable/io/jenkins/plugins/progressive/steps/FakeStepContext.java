package io.jenkins.plugins.progressive.steps;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import hudson.model.Result;
import hudson.model.TaskListener;
import java.io.ByteArrayOutputStream;
import java.io.ObjectStreamException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * A step context outside Jenkins: a build log, the step's result, the checkpoints asked for. Serializable like the
 * real one; after deserialization it is the same live context again, as a restarted build's context reconnects
 * to the same build.
 */
final class FakeStepContext extends StepContext {
    private static final long serialVersionUID = 1L;
    private static final Map<String, FakeStepContext> LIVE = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    final transient CompletableFuture<Object> result = new CompletableFuture<>();
    final transient AtomicInteger saves = new AtomicInteger();
    private final transient ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final transient TaskListener listener;

    FakeStepContext() {
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        listener = () -> out;
        LIVE.put(id, this);
    }

    private Object readResolve() throws ObjectStreamException {
        return LIVE.get(id);
    }

    String log() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public <T> T get(Class<T> key) {
        return key == TaskListener.class ? key.cast(listener) : null;
    }

    @Override
    public void onSuccess(Object value) {
        result.complete(value);
    }

    @Override
    public void onFailure(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public boolean isReady() {
        return result.isDone();
    }

    @Override
    public ListenableFuture<Void> saveState() {
        saves.incrementAndGet();
        return Futures.immediateVoidFuture();
    }

    @Override
    public void setResult(Result r) {
        throw new UnsupportedOperationException("the steps never set the build result themselves");
    }

    @Override
    public BodyInvoker newBodyInvoker() {
        throw new UnsupportedOperationException("the steps take no body");
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }
}
