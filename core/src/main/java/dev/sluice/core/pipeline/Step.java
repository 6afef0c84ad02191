package dev.sluice.core.pipeline;

import java.util.List;
import java.util.Map;

/**
 * One function applied to an input. Steps listed together run in parallel on the same input (fan-out);
 * {@link #then()} steps run on each output of this step (a chain).
 *
 * @param id       unique within its pipeline; defaults to the function name
 * @param params   parameter values as written in the config
 * @param output   where outputs go
 * @param then     steps fed with this step's outputs
 * @param when     condition for running at all, or {@code null} for always
 * @param line     line of its {@code function:} in the config file, for messages; 0 when unknown
 */
public record Step(String id, String function, Map<String, String> params, OutputTemplate output, List<Step> then,
                   Condition when, int line) {

    public Step(String id, String function, Map<String, String> params, OutputTemplate output, List<Step> then) {
        this(id, function, params, output, then, null, 0);
    }

    public Step {
        params = params == null ? Map.of() : Map.copyOf(params);
        then = then == null ? List.of() : List.copyOf(then);
    }
}
