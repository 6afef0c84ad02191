package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.TransientException;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectNotFoundException;
import dev.sluice.storage.testing.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What every S3 server Sluice runs against must do through {@link S3ObjectStore}; run against the
 * embedded server always and against MinIO where Docker is available.
 */
abstract class ObjectStoreContract {
    static final int MiB = 1024 * 1024;

    abstract S3TestServer server();

    S3ObjectStore store() {
        return server().store();
    }

    @Test
    void putGetHeadRoundTripWithLowerCaseMetadata() throws IOException {
        String bucket = server().createBucket("round-trip");
        byte[] content = "hello, sluice".getBytes(StandardCharsets.UTF_8);

        ObjectInfo put = store().put(bucket, "docs/hello.txt", content, "text/plain",
                Map.of("Sluice-Source", "in%2Fa.txt", "colour", "blue"));

        assertThat(put.size()).isEqualTo(content.length);
        assertThat(put.eTag()).isNotBlank().doesNotContain("\"");
        assertThat(put.userMetadata()).containsOnlyKeys("sluice-source", "colour");

        ObjectInfo head = store().head(bucket, "docs/hello.txt").orElseThrow();
        assertThat(head.size()).isEqualTo(content.length);
        assertThat(head.eTag()).isEqualTo(put.eTag());
        assertThat(head.contentType()).isEqualTo("text/plain");
        assertThat(head.lastModified()).isNotNull();
        assertThat(head.userMetadata()).isEqualTo(Map.of("sluice-source", "in%2Fa.txt", "colour", "blue"));

        try (InputStream in = store().get(bucket, "docs/hello.txt")) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void missingObjectsAreEmptyOrNotFound() {
        String bucket = server().createBucket("missing");

        assertThat(store().head(bucket, "nope.txt")).isEmpty();
        assertThat(store().head("no-such-bucket-here", "nope.txt")).isEmpty();
        assertThatThrownBy(() -> store().get(bucket, "nope.txt"))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("s3://missing/nope.txt");
        assertThatThrownBy(() -> store().get("no-such-bucket-here", "nope.txt"))
                .isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> store().download(bucket, "nope.txt", Path.of("/tmp/never-written")))
                .isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void putIntoMissingBucketSaysToCreateIt() {
        assertThatThrownBy(() -> store().put("no-such-bucket-here", "a.txt", new byte[] {1}, null, Map.of()))
                .isInstanceOf(SluiceException.class)
                .isNotInstanceOf(TransientException.class)
                .hasMessageContaining("no-such-bucket-here");
    }

    @Test
    void smallFileUploadAndDownloadReplacesTarget(@TempDir Path dir) throws IOException {
        String bucket = server().createBucket("small-files");
        Path file = dir.resolve("in.bin");
        byte[] content = randomBytes(100_000, 1);
        Files.write(file, content);

        ObjectInfo put = store().put(bucket, "in.bin", file, null, Map.of());
        assertThat(put.contentType()).isEqualTo("application/octet-stream");
        assertThat(put.eTag()).doesNotContain("-");

        Path target = dir.resolve("out/copy.bin");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "old content");
        store().download(bucket, "in.bin", target);
        assertThat(target).hasBinaryContent(content);
        try (Stream<Path> leftovers = Files.list(target.getParent())) {
            assertThat(leftovers).containsExactly(target); // no partial download file left behind
        }
    }

    @Test
    void largeFileIsUploadedInParts(@TempDir Path dir) throws Exception {
        String bucket = server().createBucket("large-files");
        Path file = dir.resolve("big.bin");
        writeGenerated(file, 20 * MiB + 123, 2);

        ObjectInfo put = store().put(bucket, "big.bin", file, "application/x-test", Map.of("origin", "test"));

        assertThat(put.size()).isEqualTo(20 * MiB + 123);
        assertThat(put.eTag()).endsWith("-3"); // 8 + 8 + 4 MiB parts
        ObjectInfo head = store().head(bucket, "big.bin").orElseThrow();
        assertThat(head.size()).isEqualTo(put.size());
        assertThat(head.contentType()).isEqualTo("application/x-test");
        assertThat(head.userMetadata()).containsEntry("origin", "test");
        Path back = dir.resolve("back.bin");
        store().download(bucket, "big.bin", back);
        assertThat(sha256(back)).isEqualTo(sha256(file));
    }

    @Test
    void streamingUploadOfFortyMegabytesInParts(@TempDir Path dir) throws Exception {
        String bucket = server().createBucket("streams");
        long size = 40L * MiB + 4321;
        MessageDigest written = MessageDigest.getInstance("SHA-256");

        S3UploadStream out = store().openForWrite(bucket, "video/raw.bin", "video/mp4", Map.of("Step", "p/s"));
        try (out) {
            Random random = new Random(3);
            byte[] chunk = new byte[100_000];
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                written.update(chunk, 0, n);
                if (left == size) {
                    assertThat(store().head(bucket, "video/raw.bin")).isEmpty(); // nothing until close
                }
            }
        }

        assertThat(out.result().size()).isEqualTo(size);
        assertThat(out.result().eTag()).endsWith("-6"); // five 8 MiB parts and the rest
        ObjectInfo head = store().head(bucket, "video/raw.bin").orElseThrow();
        assertThat(head.size()).isEqualTo(size);
        assertThat(head.contentType()).isEqualTo("video/mp4");
        assertThat(head.userMetadata()).containsEntry("step", "p/s");
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = store().get(bucket, "video/raw.bin")) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                read.update(buffer, 0, n);
            }
        }
        assertThat(read.digest()).isEqualTo(written.digest());
    }

    @Test
    void smallStreamIsOnePut() throws IOException {
        String bucket = server().createBucket("streams");
        S3UploadStream out = store().openForWrite(bucket, "tiny.txt", "text/plain", Map.of());
        try (out) {
            out.write("tiny".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(out.result().eTag()).doesNotContain("-");
        try (InputStream in = store().get(bucket, "tiny.txt")) {
            assertThat(in.readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("tiny");
        }
        S3UploadStream empty = store().openForWrite(bucket, "empty.txt", null, Map.of());
        empty.close();
        assertThat(store().head(bucket, "empty.txt").orElseThrow().size()).isZero();
    }

    @Test
    void abortedStreamLeavesNoObject() throws IOException {
        String bucket = server().createBucket("aborts");
        S3ObjectStore smallParts = server().store(S3StoreOptions.defaults().withPartSize(5 * MiB));
        S3UploadStream out = smallParts.openForWrite(bucket, "half.bin", null, Map.of());
        out.write(randomBytes(11 * MiB, 4)); // two parts are on the server by now

        out.abort();
        out.close(); // a no-op after abort

        assertThat(store().head(bucket, "half.bin")).isEmpty();
        assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
    }

    @Test
    void listIsLazyAndPaged() {
        String bucket = server().createBucket("many");
        IntStream.range(0, 1200).parallel().forEach(i ->
                store().put(bucket, String.format("k/%04d.txt", i), new byte[] {(byte) i}, "text/plain", Map.of()));
        store().put(bucket, "other/x.txt", new byte[] {1}, "text/plain", Map.of());

        AtomicInteger listCalls = new AtomicInteger();
        try (S3Client counting = S3ObjectStore.newClient(server().settings(), b -> b.overrideConfiguration(
                c -> c.addExecutionInterceptor(countListCalls(listCalls))));
             S3ObjectStore store = new S3ObjectStore(counting, S3StoreOptions.defaults().withListPageSize(100))) {

            try (Stream<ObjectInfo> objects = store.list(bucket, "k/")) {
                List<String> first = objects.limit(150).map(ObjectInfo::key).toList();
                assertThat(first).hasSize(150).startsWith("k/0000.txt").endsWith("k/0149.txt");
            }
            assertThat(listCalls).hasValue(2); // only the pages it needed

            listCalls.set(0);
            try (Stream<ObjectInfo> objects = store.list(bucket, "k/")) {
                List<ObjectInfo> all = objects.toList();
                assertThat(all).hasSize(1200);
                assertThat(all).extracting(ObjectInfo::key).isSorted().doesNotHaveDuplicates();
                assertThat(all).allSatisfy(info -> {
                    assertThat(info.bucket()).isEqualTo(bucket);
                    assertThat(info.size()).isEqualTo(1);
                    assertThat(info.eTag()).isNotBlank();
                });
            }
            assertThat(listCalls).hasValue(12);
        }
        try (Stream<ObjectInfo> everything = store().list(bucket, null)) {
            assertThat(everything.count()).isEqualTo(1201);
        }
        try (Stream<ObjectInfo> none = store().list(bucket, "nothing-here/")) {
            assertThat(none).isEmpty();
        }
    }

    @Test
    void listOfMissingBucketFails() {
        assertThatThrownBy(() -> {
            try (Stream<ObjectInfo> objects = store().list("no-such-bucket-here", "")) {
                objects.count();
            }
        }).isInstanceOf(SluiceException.class).hasMessageContaining("no-such-bucket-here");
    }

    @Test
    void deleteIsIdempotent() {
        String bucket = server().createBucket("deletes");
        store().put(bucket, "gone.txt", new byte[] {1, 2}, null, Map.of());

        store().delete(bucket, "gone.txt");
        store().delete(bucket, "gone.txt");

        assertThat(store().head(bucket, "gone.txt")).isEmpty();
    }

    @Test
    void bucketsCanBeCreatedTwice() {
        assertThat(store().bucketExists("fresh-bucket")).isFalse();
        store().createBucket("fresh-bucket");
        store().createBucketIfMissing("fresh-bucket");
        assertThat(store().bucketExists("fresh-bucket")).isTrue();
    }

    @Test
    void metadataMustTravelInHeaders() {
        String bucket = server().createBucket("metadata");
        assertThatThrownBy(() -> store().put(bucket, "a.txt", new byte[0], null, Map.of("name", "naïve")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> store().put(bucket, "a.txt", new byte[0], null, Map.of("bad name", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongCredentialsSayWhatToCheck() {
        String bucket = server().createBucket("secured");
        var good = server().settings();
        var wrongSecret = new StoreSettings(good.endpoint(), good.region(), good.accessKey(),
                "not-the-secret", true);
        var unknownKey = new StoreSettings(good.endpoint(), good.region(), "nobody",
                "not-the-secret", true);
        for (var settings : List.of(wrongSecret, unknownKey)) {
            try (S3ObjectStore denied = S3ObjectStore.create(settings)) {
                assertThatThrownBy(() -> denied.put(bucket, "a.txt", new byte[] {1}, null, Map.of()))
                        .isInstanceOf(SluiceException.class)
                        .isNotInstanceOf(TransientException.class)
                        .hasMessageContaining("SLUICE_ACCESS_KEY/SLUICE_SECRET_KEY");
                assertThatThrownBy(() -> denied.get(bucket, "a.txt"))
                        .hasMessageContaining("SLUICE_ACCESS_KEY/SLUICE_SECRET_KEY");
                assertThatThrownBy(() -> denied.head(bucket, "a.txt"))
                        .hasMessageContaining("SLUICE_ACCESS_KEY/SLUICE_SECRET_KEY");
            }
        }
    }

    @Test
    void unreachableStoreIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var settings = new StoreSettings("http://127.0.0.1:" + closedPort, "us-east-1", "a",
                "b", true);
        try (S3ObjectStore unreachable = S3ObjectStore.create(settings)) {
            assertThatThrownBy(() -> unreachable.head("bucket", "a.txt"))
                    .isInstanceOf(TransientException.class)
                    .hasMessageContaining("127.0.0.1:" + closedPort);
            assertThatThrownBy(() -> unreachable.put("bucket", "a.txt", new byte[] {1}, null, Map.of()))
                    .isInstanceOf(TransientException.class);
            assertThatThrownBy(() -> {
                try (Stream<ObjectInfo> objects = unreachable.list("bucket", "")) {
                    objects.findFirst();
                }
            }).isInstanceOf(TransientException.class);
            OutputStream out = unreachable.openForWrite("bucket", "a.txt", null, Map.of());
            out.write(1);
            assertThatThrownBy(out::close)
                    .isInstanceOf(IOException.class)
                    .hasCauseInstanceOf(TransientException.class);
        }
    }

    // ---- helpers

    static ExecutionInterceptor countListCalls(AtomicInteger calls) {
        return new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request().getClass().getSimpleName().startsWith("ListObjectsV2")) {
                    calls.incrementAndGet();
                }
            }
        };
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static void writeGenerated(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
