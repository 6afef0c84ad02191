package dev.sluice.core.config;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * Checks a loaded config against the functions that are actually available: every step names a known
 * function and passes parameters it accepts. Run when the server starts and by {@code sluice config check},
 * so a typo fails at once instead of on the first upload.
 */
public final class ConfigValidator {
    private ConfigValidator() {
    }

    /** Returns every problem found; empty when the config is good. */
    public static List<String> problems(SluiceConfig config, FunctionRegistry functions) {
        List<String> problems = new ArrayList<>();
        for (String name : config.functions().keySet()) {
            if (!functions.contains(name)) {
                problems.add("functions." + name + ": no function named '" + name + "' is available.");
            }
        }
        for (Pipeline pipeline : config.pipelines()) {
            for (Step step : pipeline.steps()) {
                checkStep(config, functions, pipeline, step, problems);
            }
        }
        return problems;
    }

    /** Throws a {@link ConfigException} listing every problem. */
    public static void validate(SluiceConfig config, FunctionRegistry functions) {
        List<String> problems = problems(config, functions);
        if (!problems.isEmpty()) {
            throw new ConfigException("The config has " + problems.size() + " problem(s):\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** The parameters a step runs with: function defaults from the config, then the step's own. */
    public static Parameters parametersFor(SluiceConfig config, SluiceFunction function, Step step) {
        Map<String, String> merged = new LinkedHashMap<>(config.settingsFor(function.name()).params());
        merged.putAll(step.params());
        Parameters parameters = Parameters.of(function, merged);
        function.validate(parameters);
        return parameters;
    }

    private static void checkStep(SluiceConfig config, FunctionRegistry functions, Pipeline pipeline, Step step,
                                  List<String> problems) {
        String where = (step.line() > 0 ? "line " + step.line() + ", " : "") + "pipeline '" + pipeline.name()
                + "', step '" + step.id() + "'";
        if (!functions.contains(step.function())) {
            try {
                functions.get(step.function());
            } catch (ConfigException e) {
                problems.add(where + ": " + e.getMessage());
            }
        } else {
            try {
                parametersFor(config, functions.get(step.function()), step);
            } catch (ConfigException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
        for (Step next : step.then()) {
            checkStep(config, functions, pipeline, next, problems);
        }
    }
}
