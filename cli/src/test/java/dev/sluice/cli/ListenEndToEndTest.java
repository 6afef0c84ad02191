package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.triggers.minio.MinioListenTrigger;
import dev.sluice.triggers.minio.testing.FakeMinio;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * {@code serve} with a {@code store} and {@code listen:}: the same end-to-end contract, with events from MinIO's
 * listen API and no notification set up on the server. MinIO is played by {@link FakeMinio} (the listen protocol
 * in front of a real embedded S3 server, which holds the objects); clients talk to it as to MinIO.
 */
class ListenEndToEndTest extends ThumbnailEndToEndContract {
    static final String ACCESS_KEY = "minio-user";
    static final String SECRET_KEY = "minio-password";

    @TempDir
    static Path dir;
    static EmbeddedS3Server disk;
    static FakeMinio minio;
    static SluiceServer server;
    static S3Client uploader;
    static final MeterRegistry METERS = new SimpleMeterRegistry();
    static FunctionRegistry functions;

    @BeforeAll
    static void start() throws Exception {
        FakeMinio.Events events = new FakeMinio.Events();
        disk = EmbeddedS3Server.builder().dataDir(dir.resolve("minio")).credentials(ACCESS_KEY, SECRET_KEY)
                .buckets(List.of("uploads", "thumbnails", "loop", "sluice-dead-letters", "sluice-state"))
                .listener(events).build().start();
        minio = new FakeMinio(disk, events);
        uploader = s3Client(minio.endpoint().toString(), ACCESS_KEY, SECRET_KEY);
        String yaml = """
                store:
                  endpoint: %s
                  accessKey: %s
                  secretKey: %s
                  pathStyle: true
                listen:
                  stateFile: %s
                  reconnectDelay: 100ms
                  maxReconnectDelay: 1s
                  idleTimeout: 3s
                """.formatted(minio.endpoint(), ACCESS_KEY, SECRET_KEY, dir.resolve("listen-state.json"))
                + pipelinesYaml();
        SluiceConfig config = new ConfigLoader(k -> null).parse(yaml, dir);
        functions = FunctionRegistry.loadDefault();
        server = SluiceServer.start(config, functions, METERS, null, null);
    }

    @AfterAll
    static void stop() throws Exception {
        closeAll(uploader, server, functions, minio, disk);
    }

    @Override
    S3Client uploader() {
        return uploader;
    }

    @Override
    ObjectStore store() {
        return server.store();
    }

    @Override
    MeterRegistry meters() {
        return METERS;
    }

    @Test
    void listensToTheBucketsThePipelinesMatch() {
        MinioListenTrigger listen = server.triggers().stream().filter(MinioListenTrigger.class::isInstance)
                .map(MinioListenTrigger.class::cast).findFirst().orElseThrow();
        await().atMost(PATIENCE).until(() -> listen.listening().size() == 2);
        assertThat(listen.listening()).containsExactlyInAnyOrder("uploads", "loop");
    }

    @Test
    void photosUploadedWhileMinioIsUnreachableAreProcessedOnceItIsBack() throws Exception {
        byte[] photo = java.nio.file.Files.readAllBytes(CORPORA.resolve("exif-orientation/hopper.jpg"));
        uploader.putObject(PutObjectRequest.builder().bucket("uploads").key("down/before.jpg").build(),
                RequestBody.fromBytes(photo));
        await().atMost(PATIENCE).until(() -> store().head("thumbnails", "down/before-256.jpg").isPresent());

        minio.refuseConnections(); // the stream is cut and cannot come back for now
        // Written behind MinIO's back, as if its listeners were gone: no stream hears of these uploads.
        try (var direct = dev.sluice.storage.S3ObjectStore.forEmbedded(disk)) {
            direct.put("uploads", "down/while down 1+1.jpg", photo, "image/jpeg", java.util.Map.of());
        }
        minio.acceptConnections();

        await().atMost(PATIENCE).until(() -> store().head("thumbnails", "down/while down 1+1-256.jpg").isPresent()
                && store().head("thumbnails", "down/while down 1+1-1024.jpg").isPresent());
    }
}
