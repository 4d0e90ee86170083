package io.jenkins.plugins.progressive.snapshot;

import io.jenkins.plugins.progressive.spec.SnapshotSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** A small application in namespace prod: what the snapshot tests capture and restore. */
final class Fixtures {

    static final String PASSWORD = "s3cr3t-Pa55word-7f3a";
    static final String PASSWORD_B64 = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
    static final SnapshotKey KEY = SnapshotKey.of(bytes(7));
    static final SnapshotKey OTHER_KEY = SnapshotKey.of(bytes(9));

    private Fixtures() {
    }

    static byte[] bytes(int seed) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i * 17);
        }
        return b;
    }

    static InMemoryCluster shop() {
        return new InMemoryCluster()
                .put("""
                        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                         "metadata":{"name":"widgets.example.com","labels":{"app":"shop"}},
                         "spec":{"group":"example.com","names":{"kind":"Widget","plural":"widgets"},"scope":"Namespaced",
                                 "versions":[{"name":"v1","served":true,"storage":true}]}}""")
                .put("""
                        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod",
                         "labels":{"kubernetes.io/metadata.name":"prod","team":"shop"}},"status":{"phase":"Active"}}""")
                .put("""
                        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"shop","namespace":"prod",
                          "labels":{"app":"shop"},
                          "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"kind\\":\\"Deployment\\"}"},
                          "ownerReferences":[{"apiVersion":"v1","kind":"Thing","name":"x","uid":"1"}]},
                         "spec":{"replicas":3,"selector":{"matchLabels":{"app":"shop"}},
                                 "template":{"metadata":{"labels":{"app":"shop"}},
                                   "spec":{"containers":[{"name":"shop","image":"registry/shop:1.4.1",
                                     "envFrom":[{"secretRef":{"name":"shop-db"}},{"configMapRef":{"name":"shop-config"}}]}]}}},
                         "status":{"replicas":3,"readyReplicas":3}}""")
                .put("""
                        {"apiVersion":"v1","kind":"Service","metadata":{"name":"shop","namespace":"prod","labels":{"app":"shop"}},
                         "spec":{"selector":{"app":"shop"},"ports":[{"port":80,"targetPort":8080}]}}""")
                .put("""
                        {"apiVersion":"v1","kind":"Service","metadata":{"name":"shop-headless","namespace":"prod","labels":{"app":"shop"}},
                         "spec":{"clusterIP":"None","selector":{"app":"shop"},"ports":[{"port":8080}]}}""")
                .put("""
                        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop-config","namespace":"prod","labels":{"app":"shop"}},
                         "data":{"LOG_LEVEL":"info","FEATURE_X":"on"}}""")
                .put("""
                        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"shop-db","namespace":"prod","labels":{"app":"shop"}},
                         "type":"Opaque","data":{"password":"%s","user":"c2hvcA=="}}""".formatted(PASSWORD_B64))
                .put("""
                        {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"blue","namespace":"prod","labels":{"app":"shop"}},
                         "spec":{"size":2}}""")
                .put("""
                        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"shop-abc","namespace":"prod","labels":{"app":"shop"}},
                         "spec":{"containers":[{"name":"shop","image":"registry/shop:1.4.1"}]}}""")
                .put("""
                        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other","namespace":"dev"},"data":{"a":"b"}}""");
    }

    static SnapshotSpec spec(String store) {
        return new SnapshotSpec(true, store, List.of("prod"), List.of(), Optional.empty(), List.of(),
                Optional.of(new SnapshotSpec.KeySource.Env("PROGRESSIVE_SNAPSHOT_KEY")), List.of(), List.of());
    }
}
