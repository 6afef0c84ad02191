package dev.sluice.core.exec;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches events against pipelines and turns each match into tasks, one per top-level step. Holds the loop
 * guard: an object never triggers the step that wrote it, and objects deeper than {@code maxDepth} in a
 * chain trigger nothing.
 */
public final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private final List<Pipeline> pipelines;
    private final int maxDepth;

    public Router(List<Pipeline> pipelines, int maxDepth) {
        this.pipelines = List.copyOf(pipelines);
        this.maxDepth = maxDepth;
    }

    /** Keys ending in '/' are folder placeholders (consoles create them; some stores list folders so), not files. */
    private static boolean isFolderMarker(ObjectEvent event) {
        return event.key().endsWith("/");
    }

    /** True when some pipeline may take the event, judging by everything the event itself says. */
    public boolean mayMatch(ObjectEvent event) {
        return !isFolderMarker(event) && pipelines.stream().anyMatch(p -> p.match().matchesLocation(event));
    }

    public List<Task> route(ObjectEvent event) {
        if (isFolderMarker(event)) {
            return List.of();
        }
        String writtenBy = SluiceMetadata.writtenBy(event.userMetadata());
        int depth = SluiceMetadata.depth(event.userMetadata());
        List<Task> tasks = new ArrayList<>();
        for (Pipeline pipeline : pipelines) {
            if (!pipeline.match().matches(event)) {
                continue;
            }
            if (depth >= maxDepth) {
                LOG.warn("Not running pipeline {} on {}: it is {} steps deep in a chain (maxDepth {})",
                        pipeline.name(), event.location(), depth, maxDepth);
                continue;
            }
            for (Step step : pipeline.steps()) {
                String stepId = SluiceMetadata.stepId(pipeline.name(), step.id());
                if (stepId.equals(writtenBy)) {
                    LOG.debug("Loop guard: {} was written by {}; not running it again", event.location(), stepId);
                    continue;
                }
                tasks.add(new Task(pipeline, step, event, depth));
            }
        }
        return tasks;
    }
}
