package dev.sluice.functions.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A private temp folder for one invocation's intermediate files, deleted with everything in it on close. */
final class WorkDir implements AutoCloseable {
    private final Path dir;

    WorkDir() throws IOException {
        this.dir = Files.createTempDirectory("sluice-media-");
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    Path path() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(WorkDir.class).warn("Could not delete {}: {}", dir, e.getMessage());
        }
    }
}
