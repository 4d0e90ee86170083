package io.jenkins.plugins.progressive.rollout;

import io.jenkins.plugins.progressive.analysis.Verdict;
import java.time.Instant;

/** What a strategy wants done next: one action, a wait, another look (state changed), or the failure path. */
sealed interface Decision {

    record Act(RolloutState.Action action) implements Decision {
    }

    record Wait(Instant until) implements Decision {
    }

    record Fail(String reason, Verdict verdict) implements Decision {
    }

    enum Again implements Decision {
        /** The state moved on (next step, new phase): decide again. */
        AGAIN
    }

    Decision AGAIN = Again.AGAIN;
}
