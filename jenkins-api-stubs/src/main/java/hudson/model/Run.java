package hudson.model;

public abstract class Run<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> {
    Run() {
        throw new UnsupportedOperationException("stub");
    }
}
