package dev.sluice.core.exec;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;

/**
 * One step to run on one input: what the router hands the executor.
 *
 * @param runId the run (all steps caused by one event) this task belongs to, or {@code null} before it has one
 */
public record Task(Pipeline pipeline, Step step, ObjectEvent input, int depth, String runId) {

    public Task(Pipeline pipeline, Step step, ObjectEvent input, int depth) {
        this(pipeline, step, input, depth, null);
    }

    public Task withRunId(String id) {
        return new Task(pipeline, step, input, depth, id);
    }

    public String stepId() {
        return SluiceMetadata.stepId(pipeline.name(), step.id());
    }

    @Override
    public String toString() {
        return stepId() + " on " + input.location();
    }
}
