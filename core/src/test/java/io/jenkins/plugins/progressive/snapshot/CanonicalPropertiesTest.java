package io.jenkins.plugins.progressive.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class CanonicalPropertiesTest {

    @Property(tries = 200)
    void theHashOfAnObjectDoesNotDependOnFieldOrder(@ForAll @Size(max = 12) Map<String, String> fields, @ForAll long seed) {
        ObjectNode a = InMemoryCluster.JSON.createObjectNode();
        ObjectNode b = InMemoryCluster.JSON.createObjectNode();
        List<String> names = new ArrayList<>(fields.keySet());
        ObjectNode aData = a.putObject("data");
        names.forEach(n -> aData.put(n, fields.get(n)));
        a.put("kind", "ConfigMap");
        Collections.shuffle(names, new Random(seed));
        b.put("kind", "ConfigMap");
        ObjectNode bData = b.putObject("data");
        names.forEach(n -> bData.put(n, fields.get(n)));
        assertThat(Canonical.sha256(Canonical.bytes(a))).isEqualTo(Canonical.sha256(Canonical.bytes(b)));
    }

    @Property(tries = 100)
    void sealedBlobsOpenOnlyWithTheirKeyAndIdentity(@ForAll byte[] plaintext, @ForAll String identity) throws Exception {
        byte[] sealed = Sealing.seal(Fixtures.KEY, identity, plaintext);
        assertThat(Sealing.open(Fixtures.KEY, identity, sealed)).isEqualTo(plaintext);
        assertThat(Sealing.seal(Fixtures.KEY, identity, plaintext)).as("fresh nonce every time").isNotEqualTo(sealed);
        assertThatThrownBy(() -> Sealing.open(Fixtures.OTHER_KEY, identity, sealed)).isInstanceOf(java.security.GeneralSecurityException.class);
        assertThatThrownBy(() -> Sealing.open(Fixtures.KEY, identity + "x", sealed)).isInstanceOf(java.security.GeneralSecurityException.class);
        assertThat(Sealing.address(Fixtures.KEY, identity, plaintext)).isEqualTo(Sealing.address(Fixtures.KEY, identity, plaintext))
                .isNotEqualTo(Sealing.address(Fixtures.OTHER_KEY, identity, plaintext))
                .isNotEqualTo(Canonical.sha256(plaintext));
    }
}
