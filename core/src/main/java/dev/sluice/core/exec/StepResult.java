package dev.sluice.core.exec;

import dev.sluice.core.store.ObjectInfo;
import java.time.Duration;
import java.util.List;

/**
 * The result of one step on one input, with those of the steps it fed.
 *
 * @param function the step's function
 * @param duration of the attempt that ended the step
 * @param error    a one-line description when the step failed, else {@code null}
 */
public record StepResult(String stepId, String function, String inputLocation, Outcome outcome, int attempts,
                         Duration duration, List<ObjectInfo> outputs, String error, List<StepResult> then) {

    public StepResult {
        outputs = List.copyOf(outputs);
        then = List.copyOf(then);
    }

    /** This result and those of every chained step. */
    public java.util.stream.Stream<StepResult> flatten() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(this),
                then.stream().flatMap(StepResult::flatten));
    }
}
