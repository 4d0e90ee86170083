package io.jenkins.plugins.progressive.metrics;

import io.jenkins.plugins.progressive.analysis.MetricProvider.MetricException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * What the providers share about HTTP: one client per TLS setup, addresses fit to print, and the
 * translation of transport failures into messages a user can act on. Public only because the providers
 * live in their own packages; not part of the API.
 */
public final class Http {

    /** Used when a template sets no timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final int EXCERPT_LENGTH = 200;

    private Http() {
    }

    /**
     * A client trusting the JDK's CA certificates plus, when given, the certificates of a PEM file (a private CA).
     * HTTP/1.1 only: metrics servers and proxies in front of them speak it, and it avoids h2c upgrade surprises.
     */
    public static HttpClient newClient(Optional<Path> extraCaCertificates) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                // Redirects are not followed: the client would resend credentials to wherever they point.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(DEFAULT_TIMEOUT);
        extraCaCertificates.ifPresent(pem -> builder.sslContext(sslContext(pem)));
        return builder.build();
    }

    static SSLContext sslContext(Path pem) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            int n = 0;
            for (var tm : jdk.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        trust.setCertificateEntry("jdk-" + n++, ca);
                    }
                }
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(pem)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) {
                throw new IllegalArgumentException("caCertificate " + pem + " holds no PEM certificate");
            }
            for (Certificate ca : extra) {
                trust.setCertificateEntry("extra-" + n++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalArgumentException("caCertificate " + pem + " cannot be read: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("caCertificate " + pem + " is not a PEM X.509 certificate: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads a response body as UTF-8 text, refusing more than {@link #MAX_BODY_BYTES}: a wrong URL or a
     * runaway query must not exhaust the memory of the process that runs every rollout.
     */
    public static HttpResponse.BodyHandler<String> limitedText() {
        return info -> new LimitedText();
    }

    /** Largest response body read; far above any sane metrics answer (Prometheus caps 11,000 points per series). */
    public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private static final class LimitedText implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > MAX_BODY_BYTES) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /** {@code HTTP 503}, and for a redirect where it points, since redirects are not followed. */
    public static String status(HttpResponse<?> response) {
        int status = response.statusCode();
        if (status / 100 == 3) {
            String to = response.headers().firstValue("Location")
                    .map(location -> display(response.uri().resolve(location))).orElse("?");
            return "HTTP " + status + " (a redirect to " + to + ", which is not followed: use the final URL)";
        }
        return "HTTP " + status;
    }

    /** The URL without user info, query or fragment: what may appear in a message. */
    public static String display(URI uri) {
        StringBuilder out = new StringBuilder();
        if (uri.getScheme() != null) {
            out.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            out.append(uri.getHost());
        }
        if (uri.getPort() >= 0) {
            out.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            out.append(uri.getRawPath());
        }
        return out.toString();
    }

    /** {@code text} with each of {@code secrets} replaced by {@code ****} (pass the longest first). */
    public static String mask(String text, Collection<String> secrets) {
        String masked = text == null ? "" : text;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                masked = masked.replace(secret, "****");
            }
        }
        return masked;
    }

    /** The start of a response body on one line, with any of {@code secrets} masked. */
    public static String excerpt(String body, Collection<String> secrets) {
        String text = mask(body == null ? "" : body.strip().replaceAll("\\s+", " "), secrets);
        if (text.length() > EXCERPT_LENGTH) {
            text = text.substring(0, EXCERPT_LENGTH) + "…";
        }
        return text.isEmpty() ? "(empty body)" : text;
    }

    /** Strips the wrappers that futures put around the real failure. */
    public static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Turns a transport failure into "{@code <what> at <address> is not reachable: <why>}"; a
     * {@link MetricException} passes through unchanged. The cause is kept only for transport errors, whose
     * messages never hold request headers.
     */
    public static MetricException failure(Throwable failure, String what, String address, Duration timeout) {
        Throwable t = unwrap(failure);
        if (t instanceof MetricException m) {
            return m;
        }
        if (t instanceof TooLarge) {
            return new MetricException(what + " at " + address + " answered more than "
                    + MAX_BODY_BYTES / (1024 * 1024) + " MiB; is it the right URL or query?");
        }
        String prefix = what + " at " + address + " is not reachable: ";
        if (t instanceof HttpConnectTimeoutException) {
            return new MetricException(prefix + "no connection within " + format(timeout), t);
        }
        if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
            return new MetricException(prefix + "no answer within " + format(timeout), t);
        }
        if (t instanceof ConnectException) {
            return new MetricException(prefix + "connection refused", t);
        }
        if (t instanceof UnknownHostException) {
            return new MetricException(prefix + "unknown host " + t.getMessage(), t);
        }
        if (t instanceof SSLException) {
            return new MetricException(prefix + "TLS failed (" + t.getMessage()
                    + "); for a private CA set the provider's caCertificate", t);
        }
        if (t instanceof CancellationException) {
            return new MetricException(prefix + "the request was cancelled", t);
        }
        if (t instanceof IOException && String.valueOf(t.getMessage()).contains("received no bytes")) {
            return new MetricException(prefix + "the server closed the connection without answering", t);
        }
        if (t instanceof IOException) {
            return new MetricException(prefix + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()), t);
        }
        return new MetricException(what + " at " + address + " failed: " + t.getClass().getSimpleName(), t);
    }

    /** {@code 10s}, {@code 500ms}: the way the spec writes durations. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
