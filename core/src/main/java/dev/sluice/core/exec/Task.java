package dev.sluice.core.exec;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;

/** One step to run on one input: what the router hands the executor. */
public record Task(Pipeline pipeline, Step step, ObjectEvent input, int depth) {

    public String stepId() {
        return SluiceMetadata.stepId(pipeline.name(), step.id());
    }

    @Override
    public String toString() {
        return stepId() + " on " + input.location();
    }
}
