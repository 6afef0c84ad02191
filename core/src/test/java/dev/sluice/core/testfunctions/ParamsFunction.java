package dev.sluice.core.testfunctions;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Test function with one parameter of every type; writes one text output per width describing its parameters. */
public final class ParamsFunction implements SluiceFunction {
    public static final String NAME = "core-test-params";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Test only: one parameter of every type.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("width", ParameterType.INT_LIST, "256", "Output widths, e.g. 256,1024."),
                ParameterSpec.of("box", ParameterType.DIMENSIONS, null, "Bounding box, e.g. 640x480."),
                ParameterSpec.oneOf("format", "jpeg", "Output format.", "jpeg", "png"),
                ParameterSpec.of("quality", ParameterType.DOUBLE, "0.8", "Quality between 0 and 1."),
                ParameterSpec.of("pages", ParameterType.INT, "1", "Page count."),
                ParameterSpec.of("strip", ParameterType.BOOLEAN, "true", "Strip metadata."),
                ParameterSpec.of("label", ParameterType.STRING, null, "Free text."));
    }

    @Override
    public void validate(Parameters parameters) {
        double quality = parameters.getDouble("quality");
        if (quality <= 0 || quality > 1) {
            throw new ConfigException("quality must be greater than 0 and at most 1, not " + quality + ".");
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        for (int width : invocation.parameters().getIntList("width")) {
            invocation.outputs().write(OutputSpec.of("-" + width, "txt", "text/plain").with("width", width),
                    invocation.parameters().toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
