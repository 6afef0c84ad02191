package dev.sluice.core.exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Temp files for inputs and outputs, in {@code sluice.tmpdir} (default: the JVM's temp dir). */
public final class TempFiles {
    private TempFiles() {
    }

    public static Path directory() {
        String configured = System.getProperty("sluice.tmpdir");
        Path dir = Path.of(configured != null ? configured : System.getProperty("java.io.tmpdir"));
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create temp directory " + dir + "; set -Dsluice.tmpdir", e);
        }
    }

    public static Path create(String prefix, String suffix) throws IOException {
        return Files.createTempFile(directory(), prefix, suffix);
    }

    public static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort: temp files are also in a temp dir the OS cleans
            }
        }
    }

    /** A short, file-name-safe suffix for a temp file, taken from a key's extension. */
    static String extensionOf(String key) {
        String file = key.substring(key.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        String ext = dot < 0 ? "" : file.substring(dot);
        return ext.matches("\\.[A-Za-z0-9]{1,8}") ? ext : ".bin";
    }
}
