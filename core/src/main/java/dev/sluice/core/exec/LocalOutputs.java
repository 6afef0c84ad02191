package dev.sluice.core.exec;

import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.pipeline.OutputTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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

    @Override
    protected Path commit(OutputSpec spec, String destination, Path spool) throws IOException {
        Path target = Path.of(destination);
        Files.createDirectories(target.getParent());
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
