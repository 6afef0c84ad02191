package dev.sluice.core.pipeline;

import java.util.List;

/** A named rule: events that {@link Match} go through {@link #steps()} (all of them, in parallel). */
public record Pipeline(String name, Match match, List<Step> steps) {

    public Pipeline {
        steps = List.copyOf(steps);
    }
}
