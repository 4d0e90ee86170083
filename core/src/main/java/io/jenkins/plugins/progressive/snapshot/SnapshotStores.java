package io.jenkins.plugins.progressive.snapshot;

import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Opens a store from the spec's {@code snapshot.store} URI. */
public final class SnapshotStores {

    private SnapshotStores() {
    }

    /**
     * {@code file:<dir>} (relative to the working directory, or {@code file:///abs/dir}) is built in; other
     * schemes come from {@link SnapshotStoreFactory} implementations on the class path.
     */
    public static SnapshotStore open(String uri) {
        return open(uri, Path.of(""));
    }

    public static SnapshotStore open(String uri, Path baseDir) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("snapshot.store: empty; allowed: file:<dir> or s3://bucket/prefix");
        }
        if (uri.startsWith("file:")) {
            String path = uri.substring("file:".length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (path.isEmpty()) {
                throw new IllegalArgumentException("snapshot.store: '" + uri + "' names no directory");
            }
            return new DirectorySnapshotStore(baseDir.resolve(path));
        }
        int colon = uri.indexOf(':');
        String scheme = colon > 0 ? uri.substring(0, colon) : "";
        TreeSet<String> known = new TreeSet<>();
        known.add("file");
        for (SnapshotStoreFactory f : ServiceLoader.load(SnapshotStoreFactory.class, SnapshotStores.class.getClassLoader())) {
            if (f.scheme().equalsIgnoreCase(scheme)) {
                return f.open(uri);
            }
            known.add(f.scheme());
        }
        String hint = scheme.equals("s3") ? " (the s3 store is in the progressive-s3 module, which is not on the class path)" : "";
        throw new IllegalArgumentException("snapshot.store: unsupported store '" + uri + "'; allowed schemes: "
                + String.join(", ", known) + hint);
    }
}
