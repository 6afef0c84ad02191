package dev.sluice.core.exec;

import dev.sluice.core.function.Input;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A local file as a function input, for {@code sluice invoke}. */
public record LocalInput(Path path) implements Input {

    @Override
    public String key() {
        return path.getFileName().toString();
    }

    @Override
    public String contentType() {
        try {
            return Files.probeContentType(path);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public long size() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public InputStream openStream() throws IOException {
        return Files.newInputStream(path);
    }

    @Override
    public Path file() {
        return path;
    }
}
