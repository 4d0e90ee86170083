package io.jenkins.plugins.progressive.s3;

import io.jenkins.plugins.progressive.snapshot.SnapshotException;
import io.jenkins.plugins.progressive.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A snapshot store in an S3 bucket (AWS, MinIO, S3Proxy, Ceph…): {@code <prefix>/objects/<sha[0:2]>/<sha>}
 * and {@code <prefix>/manifests/<id>.json}: the directory store's layout before packs. A PUT in S3 is atomic,
 * so readers never see half an object. Credentials come from {@code AWS_ACCESS_KEY_ID} /
 * {@code AWS_SECRET_ACCESS_KEY} (or the {@code aws.accessKeyId} / {@code aws.secretAccessKey} system
 * properties); the instance metadata service is never asked.
 */
public final class S3SnapshotStore implements SnapshotStore, AutoCloseable {

    private static final String MANIFEST_SUFFIX = ".json";

    private final S3Location location;
    private final S3Client s3;

    S3SnapshotStore(S3Location location, S3Client s3) {
        this.location = location;
        this.s3 = s3;
    }

    /** Opens {@code s3://bucket/prefix?endpoint=...&region=...}. */
    public static S3SnapshotStore open(String uri) {
        S3Location location = S3Location.parse(uri);
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(location.region()))
                .credentialsProvider(AwsCredentialsProviderChain.of(EnvironmentVariableCredentialsProvider.create(),
                        SystemPropertyCredentialsProvider.create()))
                .forcePathStyle(location.pathStyle())
                // S3-compatible servers do not all know the newer default checksums (CRC32 trailers).
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        location.endpoint().ifPresent(builder::endpointOverride);
        return new S3SnapshotStore(location, builder.build());
    }

    @Override
    public boolean putBlob(String address, byte[] bytes) {
        if (hasBlob(address)) {
            return false;
        }
        write(address, bytes);
        return true;
    }

    private void write(String address, byte[] bytes) {
        String key = blob(address);
        call("write " + key, () -> s3.putObject(b -> b.bucket(location.bucket()).key(key).contentType("application/octet-stream"),
                RequestBody.fromBytes(bytes)));
    }

    /**
     * A capture checks a stored blob with one GET and writes a missing or damaged one with one PUT (which
     * replaces it); a PUT is durable when it returns, so there is nothing to commit.
     */
    @Override
    public BlobBatch blobBatch() {
        return new BlobBatch() {
            @Override
            public Optional<byte[]> stored(String address) {
                return getBlob(address);
            }

            @Override
            public void put(String address, byte[] bytes) {
                write(address, bytes);
            }

            @Override
            public void commit() {
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public boolean hasBlob(String address) {
        String key = blob(address);
        return call("look up " + key, () -> {
            try {
                s3.headObject(b -> b.bucket(location.bucket()).key(key));
                return true;
            } catch (NoSuchKeyException e) {
                return false;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<byte[]> getBlob(String address) {
        return get(blob(address));
    }

    @Override
    public Set<String> blobAddresses() {
        Set<String> out = new TreeSet<>();
        list(location.key("objects/"), o -> {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            if (name.matches("[0-9a-f]{64}")) {
                out.add(name);
            }
        });
        return out;
    }

    @Override
    public void deleteBlob(String address) {
        delete(blob(address));
    }

    @Override
    public void putManifest(String id, byte[] json) {
        String key = manifest(id);
        call("write " + key, () -> s3.putObject(b -> b.bucket(location.bucket()).key(key).contentType("application/json"),
                RequestBody.fromBytes(json)));
    }

    @Override
    public Optional<byte[]> getManifest(String id) {
        return get(manifest(id));
    }

    @Override
    public List<String> manifestIds() {
        String prefix = location.key("manifests/");
        List<String> ids = new ArrayList<>();
        list(prefix, o -> {
            String name = o.key().substring(prefix.length());
            if (name.endsWith(MANIFEST_SUFFIX) && !name.contains("/")) {
                String id = name.substring(0, name.length() - MANIFEST_SUFFIX.length());
                try {
                    ids.add(SnapshotStore.requireManifestId(id));
                } catch (IllegalArgumentException ignored) {
                    // not one of ours
                }
            }
        });
        ids.sort(null);
        return ids;
    }

    @Override
    public void deleteManifest(String id) {
        delete(manifest(id));
    }

    @Override
    public String describe() {
        return location.toString();
    }

    @Override
    public void close() {
        s3.close();
    }

    private String blob(String address) {
        SnapshotStore.requireAddress(address);
        return location.key("objects/" + address.substring(0, 2) + "/" + address);
    }

    private String manifest(String id) {
        return location.key("manifests/" + SnapshotStore.requireManifestId(id) + MANIFEST_SUFFIX);
    }

    private Optional<byte[]> get(String key) {
        return call("read " + key, () -> {
            try {
                return Optional.of(s3.getObject(b -> b.bucket(location.bucket()).key(key),
                        (response, in) -> SdkBytes.fromInputStream(in)).asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.<byte[]>empty();
            }
        });
    }

    private void delete(String key) {
        call("delete " + key, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key)));
    }

    private void list(String prefix, Consumer<S3Object> each) {
        call("list " + prefix, () -> {
            s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(prefix)).contents().forEach(each);
            return null;
        });
    }

    private <T> T call(String what, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            String message = describe() + ": cannot " + what + ": " + e.statusCode() + " " + code
                    + ("NoSuchBucket".equals(code) ? " (the bucket " + location.bucket() + " does not exist; create it first)" : "");
            if (e.statusCode() >= 500) {
                throw new UncheckedIOException(message, new IOException(message, e));
            }
            // the store answered and refused: the bucket, the prefix or the credentials given are wrong
            throw new SnapshotException(message, e);
        } catch (SdkException e) {
            // unreachable, timed out, no credentials to sign with: the store failed, not the input
            String message = describe() + ": cannot " + what + ": " + e.getMessage();
            throw new UncheckedIOException(message, new IOException(message, e));
        }
    }
}
