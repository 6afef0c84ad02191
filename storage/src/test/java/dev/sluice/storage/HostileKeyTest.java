package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.event.ObjectEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Object keys are hostile. The data folder sits a few levels down in a temporary root, with a secret
 * file beside it; no request may read the secret or write anything outside the data folder.
 */
class HostileKeyTest {
    private static final String BUCKET = "photos";
    private static final String SECRET = "TOP SECRET: must never be served";

    @TempDir
    static Path root;
    static Path dataDir;
    static EmbeddedS3Server server;
    static S3ObjectStore store;
    static final List<ObjectEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        dataDir = root.resolve("l1/l2/l3/data");
        Files.writeString(root.resolve("secret.txt"), SECRET);
        Files.createDirectories(root.resolve("l1/l2"));
        Files.writeString(root.resolve("l1/l2/secret.txt"), SECRET);
        server = EmbeddedS3Server.builder().dataDir(dataDir).credentials("hostile", "hostile-secret")
                .listener(events::add).buckets(List.of(BUCKET, "other")).build().start();
        store = S3ObjectStore.forEmbedded(server);
    }

    @AfterAll
    static void stop() {
        store.close();
        server.close();
    }

    @AfterEach
    void nothingEscapedTheDataFolder() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).filter(file -> !file.startsWith(dataDir)))
                    .as("files outside the data folder")
                    .containsExactlyInAnyOrder(root.resolve("secret.txt"), root.resolve("l1/l2/secret.txt"));
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .noneMatch(name -> name.contains("escape"));
        }
        assertThat(events).allSatisfy(event -> {
            assertThat(event.key()).doesNotContain("escape");
            ObjectKeys.checkKey(event.key());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/../../escape", "a/../../../../escape", "/escape-absolute", "//escape", "a/./escape",
            "..", ".", "a/..", "a//escape", "a\\..\\..\\escape", "..\\escape", ".mpus-escape", "a/\u0000escape",
            "a/escape\n"})
    void hostileKeysAreRejectedWithAnS3Error(String key) {
        assertThatThrownBy(() -> store.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> store.client().getObject(b -> b.bucket(BUCKET).key(key)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isIn(400, 404));
    }

    @Test
    void rejectionIsAnInvalidArgumentErrorThatSaysWhy() {
        assertThatThrownBy(() -> store.client().putObject(b -> b.bucket(BUCKET).key("a/../../escape"),
                RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgument");
                    assertThat(e.awsErrorDetails().errorMessage()).contains("'..'");
                });
        assertThatThrownBy(() -> store.put(BUCKET, "a/../../escape", new byte[] {1}, null, Map.of()))
                .hasMessageContaining("InvalidArgument");
    }

    @Test
    void dotsThatAreNotPathSegmentsAreFine() throws IOException {
        for (String key : List.of("..hidden", "a/...", "a/..b/c", "%2e%2e/%2e%2e/literal", "a\\b.txt", "~/x")) {
            store.put(BUCKET, key, key.getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
            try (var in = store.get(BUCKET, key)) {
                assertThat(in.readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo(key);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/photos/%2e%2e/%2e%2e/escape1", "/photos/..%2f..%2fescape2",
            "/photos/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fescape3", "/photos/..%5c..%5cescape4",
            "/photos/a/%2e%2e/%2e%2e/%2e%2e/%2e%2e/escape5", "/photos/%2fescape6", "/photos/%2e%2e%2f%2e%2e%2fescape7",
            "/%2e%2e/escape8", "/..%2fl3/escape9", "/photos/a%00/escape10", "/photos/.%2e/.%2e/escape11"})
    void percentEncodedTraversalCannotWrite(String rawPath) throws IOException {
        SignedRawRequest.Response response = SignedRawRequest.send(server, "PUT", rawPath, Map.of(),
                Map.of("Content-Type", "text/plain"), "escaped!".getBytes(StandardCharsets.UTF_8));

        // 400 from the key check or from Jetty's URI check, 404 from S3Proxy's bucket-name check,
        // or a connection Jetty closed on a URI it refused
        assertThat(response.status()).as(response.body()).isIn(-1, 400, 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/photos/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt",
            "/photos/%2e%2e/%2e%2e/%2e%2e/secret.txt", "/photos/..%2f..%2f..%2fsecret.txt",
            "/%2e%2e/%2e%2e/%2e%2e/secret.txt", "/photos/%2fsecret.txt", "/photos/..%5c..%5c..%5csecret.txt",
            "/other/%2e%2e/%2e%2e/%2e%2e/secret.txt"})
    void percentEncodedTraversalCannotRead(String rawPath) throws IOException {
        for (String method : List.of("GET", "HEAD")) {
            SignedRawRequest.Response response = SignedRawRequest.send(server, method, rawPath, Map.of(), Map.of(),
                    null);

            assertThat(response.status()).as(method + " " + rawPath + ": " + response.body()).isIn(-1, 400, 403, 404);
            assertThat(response.body()).doesNotContain("TOP SECRET");
        }
    }

    @Test
    void listingPrefixesCannotLeaveTheBucket() throws IOException {
        store.put(BUCKET, "inside.txt", new byte[] {1}, null, Map.of());
        for (String prefix : List.of("../", "../../", "../../../", "a/../../", "/", "..\\")) {
            assertThatThrownBy(() -> store.client().listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)))
                    .as(prefix)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        }
        SignedRawRequest.Response raw = SignedRawRequest.send(server, "GET", "/photos", Map.of("list-type", "2",
                "prefix", "../../../"), Map.of(), null);
        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.body()).doesNotContain("secret.txt");
    }

    @Test
    void copySourceCannotLeaveTheBucket() {
        for (String source : List.of("../../../secret.txt", "a/../../../../../../secret.txt")) {
            assertThatThrownBy(() -> store.client().copyObject(b -> b.sourceBucket(BUCKET).sourceKey(source)
                    .destinationBucket(BUCKET).destinationKey("stolen.txt")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        }
        assertThat(store.head(BUCKET, "stolen.txt")).isEmpty();
    }

    @Test
    void multipartUploadIdsCannotLeaveTheBucket() {
        S3Client client = store.client();
        for (String uploadId : List.of("../../../escape", "..", "a/b", "x/../../escape")) {
            assertThatThrownBy(() -> client.uploadPart(b -> b.bucket(BUCKET).key("part.bin").uploadId(uploadId)
                    .partNumber(1), RequestBody.fromString("escape")))
                    .as(uploadId)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isBetween(400, 404));
        }
        assertThatThrownBy(() -> client.createMultipartUpload(b -> b.bucket(BUCKET).key("a/../../escape")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    }

    @Test
    void bucketNamesMustBeSafe() {
        for (String bucket : List.of("UPPER", "a", "has space", "dots..dots")) {
            assertThatThrownBy(() -> store.createBucket(bucket)).as(bucket).isInstanceOf(RuntimeException.class);
        }
        assertThat(Files.exists(dataDir.resolve("UPPER"))).isFalse();
    }
}
