package org.jenkinsci.plugins.kubernetes.auth;

public class KubernetesAuthException extends Exception {
}
