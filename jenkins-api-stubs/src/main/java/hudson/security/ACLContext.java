package hudson.security;

public class ACLContext implements AutoCloseable {
    ACLContext() {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("stub");
    }
}
