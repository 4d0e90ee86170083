package org.jenkinsci.plugins.plaincredentials;

import com.cloudbees.plugins.credentials.common.StandardCredentials;

public interface StringCredentials extends StandardCredentials {
}
