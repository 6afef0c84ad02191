package dev.sluice.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcknowledgedObjectsTest {
    private static final String FORMAT = "sluice-poll-state/1";

    @TempDir
    Path dir;

    @Test
    void savesAndLoadsKeysOfEveryKind() throws Exception {
        Path file = dir.resolve("state/poll.json");
        AcknowledgedObjects state = new AcknowledgedObjects(FORMAT, "poll");
        state.remember("uploads", "photos/2024 summer/beach+sunset ü.jpg", "5d41402abc4b2a76b9719d911017c592", 1);
        state.remember("uploads", "quote\"and\\backslash\nnewline.txt", "e1", 1);
        state.remember("uploads", "../../etc/passwd", "e2", 1);
        state.remember("archive", "a.pdf", "a3b6c2f1e8d94b7f0c1d2e3f4a5b6c7d-3", 1);

        state.save(file);
        AcknowledgedObjects loaded = AcknowledgedObjects.load(file, FORMAT, "poll", List.of("uploads", "archive"), "");

        assertThat(loaded.size()).isEqualTo(4);
        assertThat(loaded.fingerprint("uploads", "photos/2024 summer/beach+sunset ü.jpg"))
                .isEqualTo("5d41402abc4b2a76b9719d911017c592");
        assertThat(loaded.fingerprint("uploads", "quote\"and\\backslash\nnewline.txt")).isEqualTo("e1");
        assertThat(loaded.fingerprint("uploads", "../../etc/passwd")).isEqualTo("e2");
        assertThat(loaded.fingerprint("archive", "a.pdf")).isEqualTo("a3b6c2f1e8d94b7f0c1d2e3f4a5b6c7d-3");
        assertThat(loaded.dirty()).isFalse();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).startsWith("{\"format\":\"sluice-poll-state/1\"");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // the temp file was renamed, none left behind
        }
    }

    @Test
    void saveReplacesThePreviousState() throws Exception {
        Path file = dir.resolve("poll.json");
        AcknowledgedObjects state = new AcknowledgedObjects(FORMAT, "poll");
        state.remember("uploads", "a.jpg", "e1", 1);
        state.save(file);
        state.remember("uploads", "a.jpg", "e2", 2);
        state.forget("uploads", "b.jpg", "x");
        state.save(file);

        assertThat(AcknowledgedObjects.load(file, FORMAT, "poll", List.of("uploads"), "").fingerprint("uploads", "a.jpg")).isEqualTo("e2");
    }

    @Test
    void forgetKeepsAnObjectThatCameBackWithAnotherFingerprint() {
        AcknowledgedObjects state = new AcknowledgedObjects(FORMAT, "poll");
        state.remember("uploads", "a.jpg", "new", 3);

        state.forget("uploads", "a.jpg", "old");
        assertThat(state.fingerprint("uploads", "a.jpg")).isEqualTo("new");

        state.forget("uploads", "a.jpg", null); // nothing was remembered when the removal was emitted
        assertThat(state.fingerprint("uploads", "a.jpg")).isEqualTo("new");

        state.forget("uploads", "a.jpg", "new");
        assertThat(state.fingerprint("uploads", "a.jpg")).isNull();
    }

    @Test
    void loadKeepsOnlyPolledBucketsAndPrefix() throws Exception {
        Path file = dir.resolve("poll.json");
        AcknowledgedObjects state = new AcknowledgedObjects(FORMAT, "poll");
        state.remember("uploads", "in/a.jpg", "e1", 1);
        state.remember("uploads", "out/b.jpg", "e2", 1);
        state.remember("old-bucket", "in/c.jpg", "e3", 1);
        state.save(file);

        AcknowledgedObjects loaded = AcknowledgedObjects.load(file, FORMAT, "poll", List.of("uploads"), "in/");

        assertThat(loaded.size()).isEqualTo(1);
        assertThat(loaded.fingerprint("uploads", "in/a.jpg")).isEqualTo("e1");
    }

    @Test
    void missingFileIsAnEmptyState() {
        assertThat(AcknowledgedObjects.load(dir.resolve("none.json"), FORMAT, "poll", List.of("uploads"), "").size()).isZero();
    }

    @Test
    void unreadableFileIsAClearError() throws Exception {
        Path truncated = dir.resolve("truncated.json");
        Files.writeString(truncated, "{\"format\":\"sluice-poll-state/1\",\"buckets\":{\"uploads\":{\"a.jpg\":");
        Path foreign = dir.resolve("foreign.json");
        Files.writeString(foreign, "{\"format\":\"something-else/7\",\"buckets\":{}}");

        assertThatThrownBy(() -> AcknowledgedObjects.load(truncated, FORMAT, "poll", List.of("uploads"), ""))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("The poll state file " + truncated)
                .hasMessageContaining("delete it");
        assertThatThrownBy(() -> AcknowledgedObjects.load(foreign, FORMAT, "poll", List.of("uploads"), ""))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("unknown format");
    }
}
