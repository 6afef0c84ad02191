package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.config.WebhookSettings;
import dev.sluice.storage.testing.MinioExtension;
import dev.sluice.triggers.WebhookTrigger;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Testcontainers;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real check of {@code sluice minio setup}: its script, run with the mc inside a MinIO container, makes that
 * MinIO POST upload events to a Sluice webhook on this machine, for the keys the pipelines match and no others.
 * Running it a second time changes nothing. Skipped, with the reason, where Docker is unavailable.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioSetupContainerTest {
    static final String TOKEN = "container-test-token";
    /** Chosen before MinIO starts: the container reaches it as host.testcontainers.internal:PORT. */
    static final int WEBHOOK_PORT = freePort();

    static {
        org.testcontainers.Testcontainers.exposeHostPorts(WEBHOOK_PORT);
    }

    @org.testcontainers.junit.jupiter.Container
    static final MinIOContainer MINIO = new MinIOContainer(
            System.getProperty("sluice.minio.image", MinioExtension.DEFAULT_IMAGE));

    static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    static WebhookTrigger webhook;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startWebhook() throws Exception {
        webhook = new WebhookTrigger(new WebhookSettings("127.0.0.1", WEBHOOK_PORT, "/events", TOKEN));
        webhook.start((event, ack) -> {
            RECEIVED.add(event.bucket() + "/" + event.key() + " " + event.eventType());
            ack.ack();
        });
    }

    @AfterAll
    static void stopWebhook() {
        if (webhook != null) {
            webhook.close();
        }
    }

    @Test
    void theScriptMakesMinioAnnounceWhatThePipelinesMatch() throws Exception {
        Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                store: { endpoint: "%s", accessKey: "%s", secretKey: "${MINIO_SECRET}" }
                webhook: { host: 127.0.0.1, port: %d, path: /events, token: "${HOOK_TOKEN}" }
                pipelines:
                  - name: photos
                    match: { bucket: photos, suffix: [.jpg] }
                    steps:
                      - function: thumbnail
                        output: s3://thumbnails/{dir}/{name}.{ext}
                  - name: raw
                    match: { bucket: photos, glob: "camera/**/*.cr2", events: [created, removed] }
                    steps:
                      - function: image-metadata
                        output: s3://thumbnails/{dir}/{name}.json
                """.formatted(MINIO.getS3URL(), MINIO.getUserName(), WEBHOOK_PORT));
        Map<String, String> env = Map.of("MINIO_SECRET", MINIO.getPassword(), "HOOK_TOKEN", TOKEN);
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new MinioSetupCommand(env::get));
        cli.setOut(new PrintWriter(out, true));
        int exitCode = cli.execute("--config", config.toString(), "--queue-dir", "/tmp/sluice-events",
                "--webhook-url", "http://host.testcontainers.internal:" + WEBHOOK_PORT + "/events");
        assertThat(exitCode).isZero();
        MINIO.copyFileToContainer(Transferable.of(out.toString()), "/tmp/minio-setup.sh");

        Container.ExecResult first = runScript();
        assertThat(first.getExitCode()).as(first.getStdout() + first.getStderr()).isZero();
        Container.ExecResult again = runScript();
        assertThat(again.getExitCode()).as(again.getStdout() + again.getStderr()).isZero();
        Container.ExecResult rules = MINIO.execInContainer("sh", "-c", mcHost()
                + " mc event list local/photos arn:minio:sqs::sluice:webhook");
        assertThat(rules.getStdout().lines().filter(line -> line.contains("arn:minio:sqs::sluice:webhook")))
                .as(rules.getStdout()).hasSize(3); // .jpg, .JPG, camera/ + .cr2: nothing added twice

        try (S3Client s3 = ThumbnailEndToEndContract.s3Client(MINIO.getS3URL(), MINIO.getUserName(),
                MINIO.getPassword())) {
            for (String key : List.of("skip.txt", "camera/2024/x.png", "a/IMG_1.JPG", "b.jpg", "camera/2024/r.cr2")) {
                s3.putObject(b -> b.bucket("photos").key(key), RequestBody.fromString(key));
            }
            s3.deleteObject(b -> b.bucket("photos").key("camera/2024/r.cr2"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(RECEIVED).contains(
                    "photos/a/IMG_1.JPG CREATED", "photos/b.jpg CREATED", "photos/camera/2024/r.cr2 CREATED",
                    "photos/camera/2024/r.cr2 REMOVED"));
        }
        assertThat(RECEIVED).noneMatch(event -> event.contains("skip.txt") || event.contains("x.png"));
        assertThat(RECEIVED).doesNotHaveDuplicates();
    }

    private static Container.ExecResult runScript() throws IOException, InterruptedException {
        return MINIO.execInContainer("sh", "-c", mcHost() + " HOOK_TOKEN=" + TOKEN + " sh /tmp/minio-setup.sh");
    }

    /** mc's alias 'local' for the server in the container, as an environment variable. */
    private static String mcHost() {
        return "MC_HOST_local=http://" + MINIO.getUserName() + ":" + MINIO.getPassword() + "@localhost:9000";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
