package io.jenkins.plugins.progressive.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Object names derived from rollout keys: DNS-1123 labels, unique, at most 63 characters. */
final class ObjectNames {

    private ObjectNames() {
    }

    /** {@code progressive-<key>}, lower-cased, other characters as '-'; long or altered keys get a hash suffix. */
    static String forKey(String key) {
        String cleaned = key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        String name = "progressive-" + cleaned;
        if (cleaned.equals(key) && name.length() <= 63) {
            return name;
        }
        String hash = hash(key);
        String head = name.length() > 63 - 9 ? name.substring(0, 63 - 9) : name;
        return head.replaceAll("-+$", "") + "-" + hash;
    }

    private static String hash(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
