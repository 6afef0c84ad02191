package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.storage.testing.EmbeddedS3Extension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** The embedded server announces committed uploads, copies and deletes like S3 bucket notifications. */
class EmbeddedS3EventsTest {
    private static final int MiB = 1024 * 1024;

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

    String bucket;

    /** This test's events: one of an earlier test (another bucket) may still arrive after the list was cleared. */
    private List<ObjectEvent> events() {
        return S3.events().stream().filter(e -> e.bucket().equals(bucket)).toList();
    }

    @BeforeEach
    void bucket() {
        bucket = S3.createBucket("events-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        S3.clearEvents();
    }

    @Test
    void putAnnouncesTheObjectWithWhatHeadSays() {
        S3.client().putObject(b -> b.bucket(bucket).key("in/photo.jpg").contentType("image/jpeg")
                .metadata(Map.of("Camera-Model", "X100", "sluice-depth", "1")), RequestBody.fromString("jpeg bytes"));

        ObjectInfo head = S3.store().head(bucket, "in/photo.jpg").orElseThrow();
        assertThat(events()).singleElement().satisfies(event -> {
            assertThat(event.bucket()).isEqualTo(bucket);
            assertThat(event.key()).isEqualTo("in/photo.jpg");
            assertThat(event.eventType()).isEqualTo(EventType.CREATED);
            assertThat(event.eventName()).isEqualTo("ObjectCreated:Put");
            assertThat(event.size()).isEqualTo(10);
            assertThat(event.eTag()).isEqualTo(head.eTag());
            assertThat(event.contentType()).isEqualTo("image/jpeg");
            assertThat(event.userMetadata()).isEqualTo(Map.of("camera-model", "X100", "sluice-depth", "1"));
            assertThat(event.sequencer()).isNotBlank();
            assertThat(event.time()).isNotNull();
        });
    }

    @Test
    void multipartUploadIsOneEventAfterCompletion(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.bin");
        ObjectStoreContract.writeGenerated(file, 12L * MiB, 7);
        S3ObjectStore smallParts = S3.store(new S3StoreOptions(5 * MiB, 5 * MiB, 1000));

        ObjectInfo put = smallParts.put(bucket, "videos/big.bin", file, "video/mp4", Map.of("source", "cam"));

        assertThat(events()).singleElement().satisfies(event -> {
            assertThat(event.key()).isEqualTo("videos/big.bin");
            assertThat(event.eventName()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
            assertThat(event.size()).isEqualTo(12L * MiB);
            assertThat(event.eTag()).isEqualTo(put.eTag()).endsWith("-3");
            assertThat(event.contentType()).isEqualTo("video/mp4");
            assertThat(event.userMetadata()).containsEntry("source", "cam");
        });
    }

    @Test
    void streamedUploadIsOneEvent() throws IOException {
        S3ObjectStore smallParts = S3.store(S3StoreOptions.defaults().withPartSize(5 * MiB));
        try (var out = smallParts.openForWrite(bucket, "stream.bin", null, Map.of())) {
            out.write(ObjectStoreContract.randomBytes(11 * MiB, 8));
        }
        assertThat(events()).extracting(ObjectEvent::key, ObjectEvent::eventName)
                .containsExactly(tuple("stream.bin",
                        "ObjectCreated:CompleteMultipartUpload"));
    }

    @Test
    void copyAnnouncesTheDestination() {
        S3.createBucket("archive");
        S3.store().put(bucket, "a.txt", "content".getBytes(), "text/plain", Map.of("origin", "upload"));
        S3.clearEvents();

        S3.client().copyObject(b -> b.sourceBucket(bucket).sourceKey("a.txt")
                .destinationBucket("archive").destinationKey("2024/a.txt"));

        assertThat(S3.events().stream().filter(e -> e.bucket().equals("archive")).toList()).singleElement().satisfies(event -> {
            assertThat(event.bucket()).isEqualTo("archive");
            assertThat(event.key()).isEqualTo("2024/a.txt");
            assertThat(event.eventName()).isEqualTo("ObjectCreated:Copy");
            assertThat(event.size()).isEqualTo(7);
            assertThat(event.eTag()).isEqualTo(S3.store().head("archive", "2024/a.txt").orElseThrow().eTag());
            assertThat(event.contentType()).isEqualTo("text/plain");
            assertThat(event.userMetadata()).containsEntry("origin", "upload");
        });
    }

    @Test
    void deleteOfAnExistingObjectIsAnnounced() {
        S3.store().put(bucket, "old.txt", new byte[] {1, 2, 3}, null, Map.of());
        S3.store().put(bucket, "older.txt", new byte[] {1}, null, Map.of());
        S3.store().put(bucket, "oldest.txt", new byte[] {1}, null, Map.of());
        S3.clearEvents();

        S3.store().delete(bucket, "old.txt");
        S3.store().delete(bucket, "never-existed.txt");
        S3.client().deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(o -> o.key("older.txt"),
                o -> o.key("oldest.txt"))));

        assertThat(events()).allSatisfy(event -> {
            assertThat(event.eventType()).isEqualTo(EventType.REMOVED);
            assertThat(event.eventName()).isEqualTo("ObjectRemoved:Delete");
        });
        assertThat(events()).extracting(ObjectEvent::key)
                .containsExactlyInAnyOrder("old.txt", "older.txt", "oldest.txt");
        assertThat(events().get(0).size()).isEqualTo(3);
    }

    @Test
    void sequencersOrderTheEvents() {
        for (int i = 0; i < 5; i++) {
            S3.store().put(bucket, "same.txt", new byte[] {(byte) i}, null, Map.of());
        }
        // Only this test's object: an event of an earlier test can still arrive after the list was cleared.
        List<String> sequencers = events().stream()
                .filter(e -> e.bucket().equals(bucket) && e.key().equals("same.txt"))
                .map(ObjectEvent::sequencer).toList();
        // At least once, like S3: a PUT the client retried (e.g. a dropped keep-alive connection) is announced
        // again. Order and uniqueness of sequencers are what this test is about.
        assertThat(sequencers).hasSizeGreaterThanOrEqualTo(5).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void eventsComeOnlyAfterTheObjectIsCommitted(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("data");
        List<String> problems = new CopyOnWriteArrayList<>();
        List<ObjectEvent> seen = new CopyOnWriteArrayList<>();
        try (EmbeddedS3Server server = EmbeddedS3Server.builder().dataDir(dataDir).listener(event -> {
            Path file = dataDir.resolve(event.bucket()).resolve(event.key());
            try {
                if (Files.size(file) != event.size()) {
                    problems.add(event.key() + " has " + Files.size(file) + " bytes on disk, event says "
                            + event.size());
                }
            } catch (IOException e) {
                problems.add(event.key() + " is not on disk yet: " + e);
            }
            seen.add(event);
        }).buckets(List.of("b-committed")).build().start();
             S3ObjectStore store = S3ObjectStore.forEmbedded(server, S3StoreOptions.defaults().withPartSize(5 * MiB))) {
            store.put("b-committed", "one.txt", new byte[1000], null, Map.of());
            Path file = dir.resolve("big.bin");
            ObjectStoreContract.writeGenerated(file, 17L * MiB, 9);
            store.put("b-committed", "many/parts.bin", file, null, Map.of());
            store.client().copyObject(b -> b.sourceBucket("b-committed").sourceKey("one.txt")
                    .destinationBucket("b-committed").destinationKey("copy.txt"));
        }
        assertThat(seen).extracting(ObjectEvent::key).containsExactly("one.txt", "many/parts.bin", "copy.txt");
        assertThat(problems).isEmpty();
    }

    @Test
    void aFailingListenerDoesNotFailTheUpload(@TempDir Path dir) {
        try (EmbeddedS3Server server = EmbeddedS3Server.builder().dataDir(dir.resolve("data")).listener(event -> {
            throw new IllegalStateException("listener is broken");
        }).buckets(List.of("b-broken")).build().start();
             S3ObjectStore store = S3ObjectStore.forEmbedded(server)) {
            store.put("b-broken", "still-stored.txt", new byte[] {1}, null, Map.of());
            assertThat(store.head("b-broken", "still-stored.txt")).isPresent();
        }
    }
}
