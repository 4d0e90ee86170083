package hudson;

import java.util.TreeMap;

public class EnvVars extends TreeMap<String, String> {
    private static final long serialVersionUID = 1L;

    private EnvVars() {
        throw new UnsupportedOperationException("stub");
    }
}
