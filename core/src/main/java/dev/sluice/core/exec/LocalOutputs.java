package dev.sluice.core.exec;

import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.pipeline.OutputTemplate;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/** Outputs written to a local folder for {@code sluice invoke}; never outside that folder. */
final class LocalOutputs extends RecordingOutputs<Path> {
    /** Outputs are named after their input: {@code photo.jpg} gives {@code photo-256.jpg}. */
    static final String KEY_TEMPLATE = "{name}{suffix}.{ext}";
    private final Path outDir;
    private final String sourceKey;

    LocalOutputs(Path outDir, String sourceKey) {
        this.outDir = outDir;
        this.sourceKey = sourceKey;
    }

    @Override
    protected String destination(OutputSpec spec) {
        return OutputTemplate.resolveLocal(outDir, KEY_TEMPLATE, sourceKey, spec).toString();
    }

    /**
     * Beside its destination, as a hidden {@code .sluice-*.part} file created like any new file: with the user's
     * umask (a temp file would be owner-only, and a web server reading the folder could not read the thumbnails),
     * and on the same file system, so that the rename that commits it is atomic and nothing is copied.
     */
    @Override
    protected Path spool(OutputSpec spec, String destination) throws IOException {
        Path target = Path.of(destination);
        Files.createDirectories(target.getParent());
        while (true) {
            Path spool = target.resolveSibling(".sluice-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".part");
            try {
                return Files.createFile(spool);
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
    }

    @Override
    protected Path commit(OutputSpec spec, String destination, Path spool) throws IOException {
        Path target = Path.of(destination); // its folder was made for the spool file beside it
        try {
            return Files.move(spool, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // different file systems: copy instead of an atomic rename
            return Files.copy(spool, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    protected void remove(Path output) {
        TempFiles.deleteQuietly(output);
    }
}
