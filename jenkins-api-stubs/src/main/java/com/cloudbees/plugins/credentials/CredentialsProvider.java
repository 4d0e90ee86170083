package com.cloudbees.plugins.credentials;

import hudson.security.Permission;

public abstract class CredentialsProvider {
    public static final Permission USE_ITEM = null;

    private CredentialsProvider() {
        throw new UnsupportedOperationException("stub");
    }
}
