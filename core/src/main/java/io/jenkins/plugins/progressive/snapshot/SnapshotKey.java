package io.jenkins.plugins.progressive.snapshot;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The user's 32-byte AES-256 key. Only its {@link #id() id} (first 8 hex digits of its sha256) is ever
 * printed or stored; {@link #toString()} shows nothing else.
 */
public final class SnapshotKey {

    public static final int LENGTH = 32;

    private final byte[] key;
    private final byte[] addressKey;
    private final String id;

    private SnapshotKey(byte[] key) {
        this.key = key.clone();
        this.id = HexFormat.of().formatHex(Canonical.digest().digest(key), 0, 4);
        // A separate key for content addresses, so the address MAC and the cipher never share a key.
        this.addressKey = hmac(key, "progressive-snapshot/address/v1".getBytes(StandardCharsets.UTF_8));
    }

    public static SnapshotKey of(byte[] key) {
        if (key.length != LENGTH) {
            throw new SnapshotException("a snapshot key must be " + LENGTH + " bytes, got " + key.length);
        }
        return new SnapshotKey(key);
    }

    /**
     * Decodes a base64 key. {@code where} names the place it came from in error messages (for example
     * {@code snapshot.encryptionKey.env PROGRESSIVE_SNAPSHOT_KEY}); the value itself never appears.
     */
    public static SnapshotKey fromBase64(String base64, String where) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(where + ": not valid base64; expected " + LENGTH
                    + " random bytes in base64 (for example the output of `openssl rand -base64 32`)");
        }
        if (raw.length != LENGTH) {
            throw new SnapshotException(where + ": decodes to " + raw.length + " bytes; expected " + LENGTH
                    + " random bytes in base64 (for example the output of `openssl rand -base64 32`)");
        }
        return new SnapshotKey(raw);
    }

    /** First 8 hex digits of sha256(key): recorded in manifests, shown in errors. */
    public String id() {
        return id;
    }

    SecretKeySpec cipherKey() {
        return new SecretKeySpec(key, "AES");
    }

    byte[] addressKey() {
        return addressKey;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotKey k && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "SnapshotKey[id=" + id + "]";
    }
}
