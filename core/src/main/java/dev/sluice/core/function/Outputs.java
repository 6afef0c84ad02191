package dev.sluice.core.function;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an invocation writes its results. Each output is committed when its stream is closed; outputs of
 * an invocation that fails are removed again, so a failed step leaves nothing half-written behind.
 */
public interface Outputs {

    /** Opens a new output; the data is stored when the stream is closed. */
    OutputStream open(OutputSpec spec) throws IOException;

    /** Stores a finished local file as an output. */
    default void write(OutputSpec spec, Path file) throws IOException {
        try (OutputStream out = open(spec)) {
            Files.copy(file, out);
        }
    }

    /** Stores bytes as an output. */
    default void write(OutputSpec spec, byte[] bytes) throws IOException {
        try (OutputStream out = open(spec)) {
            out.write(bytes);
        }
    }
}
