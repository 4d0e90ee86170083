package hudson.slaves;

import hudson.model.Describable;
import hudson.security.AccessControlled;

public abstract class Cloud implements hudson.ExtensionPoint, Describable<Cloud>, AccessControlled {
    public String name;

    protected Cloud(String name) {
        throw new UnsupportedOperationException("stub");
    }
}
