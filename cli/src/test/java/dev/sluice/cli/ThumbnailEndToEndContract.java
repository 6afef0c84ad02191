package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The first whole path: an ordinary S3 client uploads, an event fires, {@code thumbnail} runs, thumbnails appear.
 * Subclasses supply the S3 server (the embedded one, or MinIO where Docker is available) and the way events
 * reach Sluice; the assertions are the same for both.
 */
abstract class ThumbnailEndToEndContract {
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final Path CORPORA = Path.of(System.getProperty("sluice.corpora", "../../shared/corpora"));

    /** An S3 client of the uploader's own, pointed at the server under test. */
    abstract S3Client uploader();

    abstract ObjectStore store();

    abstract MeterRegistry meters();

    private void upload(String bucket, String key, Path file) {
        uploader().putObject(PutObjectRequest.builder().bucket(bucket).key(key).build(), RequestBody.fromFile(file));
    }

    private void upload(String bucket, String key, byte[] content) {
        uploader().putObject(PutObjectRequest.builder().bucket(bucket).key(key).build(), RequestBody.fromBytes(content));
    }

    private ObjectInfo awaitObject(String bucket, String key) {
        return await().atMost(PATIENCE).until(() -> store().head(bucket, key), Optional::isPresent).orElseThrow();
    }

    private BufferedImage readImage(String bucket, String key) throws IOException {
        try (InputStream in = store().get(bucket, key)) {
            return ImageIO.read(in);
        }
    }

    private double count(String name, String function, String outcome) {
        Counter counter = meters().find(name).tag("function", function).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Displayed (upright) size of a corpus photo, from the manifest's ground truth. */
    private static int[] displayedSize(String file) throws IOException {
        for (String line : Files.readAllLines(CORPORA.resolve("exif-orientation/expected_orientation.tsv"))) {
            String[] columns = line.split("\t");
            if (columns[0].equals(file)) {
                return new int[] {Integer.parseInt(columns[4]), Integer.parseInt(columns[5])};
            }
        }
        throw new IllegalArgumentException(file + " not in expected_orientation.tsv");
    }

    @Test
    void uploadedPhotoGetsUprightThumbnailsInEveryWidth() throws IOException {
        for (String photo : List.of("Landscape_6.jpg", "Portrait_8.jpg", "Landscape_1.jpg")) {
            upload("uploads", "trips/" + photo, CORPORA.resolve("exif-orientation/" + photo));
        }
        for (String photo : List.of("Landscape_6.jpg", "Portrait_8.jpg", "Landscape_1.jpg")) {
            int[] displayed = displayedSize(photo);
            String name = photo.substring(0, photo.length() - 4);
            for (int width : new int[] {256, 1024}) {
                ObjectInfo thumb = awaitObject("thumbnails", "trips/" + name + "-" + width + ".jpg");
                assertThat(thumb.contentType()).isEqualTo("image/jpeg");
                assertThat(thumb.userMetadata()).containsKeys("sluice-source-etag", "sluice-step");
                BufferedImage image = readImage("thumbnails", thumb.key());
                assertThat(image.getWidth()).isEqualTo(width);
                int expectedHeight = Math.round((float) displayed[1] * width / displayed[0]);
                assertThat(image.getHeight()).isBetween(expectedHeight - 1, expectedHeight + 1);
            }
        }
    }

    @Test
    void reuploadingIdenticalContentDoesNotRewriteThumbnails() throws Exception {
        Path photo = CORPORA.resolve("exif-orientation/hopper.jpg");
        upload("uploads", "again/hopper.jpg", photo);
        ObjectInfo first = awaitObject("thumbnails", "again/hopper-256.jpg");
        await().atMost(PATIENCE).until(() -> store().head("thumbnails", "again/hopper-1024.jpg").isPresent()
                || count("sluice.invocations", "thumbnail", "succeeded") > 0);
        double skippedBefore = count("sluice.invocations", "thumbnail", "skipped");

        Thread.sleep(1100); // object stores keep second-resolution timestamps; a rewrite must show as a newer one
        upload("uploads", "again/hopper.jpg", photo);

        await().atMost(PATIENCE).until(() -> count("sluice.invocations", "thumbnail", "skipped") > skippedBefore);
        ObjectInfo after = store().head("thumbnails", "again/hopper-256.jpg").orElseThrow();
        assertThat(after.lastModified()).isEqualTo(first.lastModified());
        assertThat(after.eTag()).isEqualTo(first.eTag());
    }

    @Test
    void corruptImageIsDeadLetteredAndTheNextUploadStillRuns() throws Exception {
        byte[] corrupt = Files.readAllBytes(CORPORA.resolve("exif-orientation/hopper.jpg"));
        corrupt = java.util.Arrays.copyOf(corrupt, 300); // a JPEG header and nothing after it
        upload("uploads", "bad/broken.jpg", corrupt);
        upload("uploads", "bad/fine.jpg", CORPORA.resolve("exif-orientation/hopper.jpg"));

        awaitObject("thumbnails", "bad/fine-256.jpg");
        JsonNode letter = await().atMost(PATIENCE).until(() -> findDeadLetter("bad/broken.jpg"), Optional::isPresent)
                .orElseThrow();
        assertThat(letter.path("function").asText()).isEqualTo("thumbnail");
        assertThat(letter.path("event").path("bucket").asText()).isEqualTo("uploads");
        assertThat(letter.path("attempts").asInt()).isEqualTo(1); // bad input is never retried
        assertThat(letter.path("error").path("message").asText()).isNotBlank();
        assertThat(store().head("thumbnails", "bad/broken-256.jpg")).isEmpty();
    }

    @Test
    void outputsInTheInputBucketDoNotTriggerTheirOwnStep() throws Exception {
        upload("loop", "pics/hopper.jpg", CORPORA.resolve("exif-orientation/hopper.jpg"));
        awaitObject("loop", "thumbs/pics/hopper-64.jpg");
        // The thumbnail's own upload event arrives too; give it every chance to (wrongly) run the step again.
        await().pollDelay(Duration.ofSeconds(2)).atMost(PATIENCE)
                .until(() -> store().list("loop", "").count() >= 2);
        Thread.sleep(2000);
        try (var keys = store().list("loop", "")) {
            assertThat(keys.map(ObjectInfo::key).toList())
                    .containsExactlyInAnyOrder("pics/hopper.jpg", "thumbs/pics/hopper-64.jpg");
        }
    }

    private Optional<JsonNode> findDeadLetter(String key) throws IOException {
        return DeadLetterRecords.forKey(store(), key).stream().findFirst();
    }

    /** An uploader's S3 client: path-style, static keys, otherwise the SDK's defaults (checksums included). */
    static S3Client s3Client(String endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(java.net.URI.create(endpoint))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    /** Closes what a variant started, in order, skipping what never started. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    /** The pipelines every variant runs: the demo's thumbnails, plus a loop-guard pipeline writing into its input bucket. */
    static String pipelinesYaml() {
        return """
                deadLetters: sluice-dead-letters
                functions:
                  thumbnail: { concurrency: 2, timeout: 60s, retries: 2, backoff: 100ms }
                pipelines:
                  - name: thumbnails
                    match: { bucket: uploads, suffix: [.jpg, .jpeg, .png] }
                    steps:
                      - function: thumbnail
                        params: { width: "256,1024", format: jpeg }
                        output: s3://thumbnails/{dir}/{name}-{width}.{ext}
                  - name: same-bucket
                    match: { bucket: loop, suffix: [.jpg] }
                    steps:
                      - function: thumbnail
                        params: { width: "64" }
                        output: s3://loop/thumbs/{dir}/{name}-{width}.{ext}
                """;
    }

}
