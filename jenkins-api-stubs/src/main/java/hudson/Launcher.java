package hudson;

public abstract class Launcher {
    private Launcher() {
        throw new UnsupportedOperationException("stub");
    }
}
