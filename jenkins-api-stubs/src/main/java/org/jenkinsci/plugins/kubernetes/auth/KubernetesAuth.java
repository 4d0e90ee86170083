package org.jenkinsci.plugins.kubernetes.auth;

import io.fabric8.kubernetes.client.ConfigBuilder;

public interface KubernetesAuth {
    ConfigBuilder decorate(ConfigBuilder builder, KubernetesAuthConfig config) throws KubernetesAuthException;
}
