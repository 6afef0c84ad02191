package dev.sluice.core.testfunctions;

import dev.sluice.core.BadInputException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.SluiceFunction;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test function: writes one copy of its input per entry of {@code copies}, named {@code {name}-{copy}.txt}.
 * It can fail half-way (after committing one output and while another is still open), sleep, or give two
 * outputs the same name, to exercise the invoker's error handling.
 */
public final class CopyFunction implements SluiceFunction {
    public static final String NAME = "core-test-copy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Test only: copies the input.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("copies", ParameterType.INT_LIST, "1,2", "Copy numbers; one output each."),
                ParameterSpec.of("fail-on", ParameterType.STRING, null,
                        "Fail, after writing some output, on inputs whose file name contains this text."),
                ParameterSpec.of("sleep-ms", ParameterType.INT, "0", "Sleep (interruptibly) before copying."),
                ParameterSpec.of("same-name", ParameterType.BOOLEAN, "false", "Give every output the same name."));
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Thread.sleep(invocation.parameters().getInt("sleep-ms"));
        boolean sameName = invocation.parameters().getBoolean("same-name");
        boolean fail = invocation.parameters().find("fail-on")
                .filter(text -> invocation.input().fileName().contains(text)).isPresent();
        for (int copy : invocation.parameters().getIntList("copies")) {
            OutputSpec spec = OutputSpec.of(sameName ? "" : "-" + copy, "txt", "text/plain").with("copy", copy);
            if (fail && copy > 1) {
                OutputStream unfinished = invocation.outputs().open(spec);
                unfinished.write("half".getBytes(StandardCharsets.UTF_8));
                throw new BadInputException("Test input " + invocation.input().fileName() + " is corrupt at copy "
                        + copy + "; replace the file.");
            }
            try (InputStream in = invocation.input().openStream(); OutputStream out = invocation.outputs().open(spec)) {
                in.transferTo(out);
            }
        }
    }
}
