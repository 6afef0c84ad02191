package dev.sluice.triggers.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.SluiceException;
import dev.sluice.core.config.ListenSettings;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.storage.S3ObjectStore;
import dev.sluice.triggers.minio.RecordingSink.Mode;
import dev.sluice.triggers.minio.testing.FakeMinio;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listen trigger against a MinIO stand-in ({@link FakeMinio}: MinIO's listen protocol in front of the real
 * embedded S3 server, whose real uploads feed the streams): keys, reconnecting, reconciling, acknowledgements,
 * and refusals. Uploads go straight to the embedded server, as another client's would.
 */
class MinioListenTriggerTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final String ACCESS_KEY = "minio-user";
    static final String SECRET_KEY = "minio-secret-key";
    static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    static Path shared;
    static EmbeddedS3Server s3;
    static FakeMinio minio;
    static S3ObjectStore uploader;
    static S3ObjectStore storeViaMinio;

    @TempDir
    Path dir;
    String bucket;
    Path stateFile;
    final List<MinioListenTrigger> triggers = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        FakeMinio.Events events = new FakeMinio.Events();
        s3 = EmbeddedS3Server.builder().dataDir(shared.resolve("data")).credentials(ACCESS_KEY, SECRET_KEY)
                .listener(events).build().start();
        minio = new FakeMinio(s3, events);
        uploader = S3ObjectStore.forEmbedded(s3);
        storeViaMinio = S3ObjectStore.create(new StoreSettings(minio.endpoint().toString(), "us-east-1", ACCESS_KEY,
                SECRET_KEY, true));
    }

    @AfterAll
    static void stopServers() throws Exception {
        storeViaMinio.close();
        uploader.close();
        minio.close();
        s3.close();
    }

    @BeforeEach
    void bucket() throws Exception {
        minio.acceptConnections();
        minio.answer(0, null);
        minio.ignorePing(false);
        bucket = "listen-" + BUCKETS.incrementAndGet();
        uploader.createBucket(bucket);
        stateFile = dir.resolve("listen-state.json");
    }

    @AfterEach
    void closeTriggers() {
        triggers.forEach(MinioListenTrigger::close);
    }

    ListenSettings settings() {
        return settings(List.of(bucket));
    }

    ListenSettings settings(List<String> buckets) {
        return ListenSettings.of(buckets, stateFile)
                .withReconnectDelays(Duration.ofMillis(100), Duration.ofSeconds(1))
                .withIdleTimeout(Duration.ofSeconds(3))
                .withReconcileEvery(Duration.ZERO);
    }

    static ListenEndpoint endpoint() {
        return ListenEndpoint.of(minio.endpoint(), "us-east-1", true, ACCESS_KEY, SECRET_KEY);
    }

    MinioListenTrigger trigger(ListenSettings settings) {
        MinioListenTrigger trigger = new MinioListenTrigger(storeViaMinio, endpoint(), settings);
        triggers.add(trigger);
        return trigger;
    }

    /** Started, with its stream open and the first reconcile done. */
    MinioListenTrigger listening(RecordingSink sink) throws Exception {
        return listening(trigger(settings()), sink);
    }

    static MinioListenTrigger listening(MinioListenTrigger trigger, RecordingSink sink) throws Exception {
        trigger.start(sink);
        await().atMost(PATIENCE).until(() -> !trigger.listening().isEmpty() && trigger.reconciles() >= 1);
        return trigger;
    }

    ObjectInfo put(String key, String content) {
        return uploader.put(bucket, key, content.getBytes(StandardCharsets.UTF_8), "text/plain",
                Map.of("origin", "test"));
    }

    @Test
    void uploadsArriveWithTheirKeysAsTheyAre() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        listening(sink);
        List<String> keys = List.of("plain.txt", "my cat+dog.JPG", "100% real/a%2Fb c.txt",
                "caf\u00e9/\u65e5\u672c 1+1=2.png", "a+b%41");
        Map<String, ObjectInfo> uploaded = new java.util.LinkedHashMap<>();
        for (String key : keys) {
            uploaded.put(key, put(key, "content of " + key));
        }

        await().atMost(PATIENCE).until(() -> sink.created().size() >= keys.size());

        assertThat(sink.created()).containsExactlyInAnyOrderElementsOf(keys);
        for (ObjectEvent event : sink.events()) {
            ObjectInfo stored = uploaded.get(event.key());
            assertThat(event.bucket()).isEqualTo(bucket);
            assertThat(event.eTag()).isEqualTo(stored.eTag());
            assertThat(event.size()).isEqualTo(stored.size());
            assertThat(event.contentType()).isEqualTo("text/plain");
            assertThat(event.eventName()).isEqualTo("ObjectCreated:Put");
            assertThat(storeViaMinio.head(bucket, event.key())).as("the key names the stored object").isPresent();
        }
        String query = minio.listenQueries().get(minio.listenQueries().size() - 1);
        assertThat(FakeMinio.eventsOf(query)).isEqualTo(Set.of("s3:ObjectCreated:*", "s3:ObjectRemoved:*"));
        assertThat(query).contains("ping=1").contains("prefix=");

        uploader.delete(bucket, "my cat+dog.JPG");
        await().atMost(PATIENCE).until(() -> sink.removed().contains("my cat+dog.JPG"));
    }

    @Test
    void aReuploadIsDeliveredLikeAnyUploadAndListingsDoNotRepeatIt() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = listening(sink);
        ObjectInfo first = put("same.txt", "same content");
        await().atMost(PATIENCE).until(() -> trigger.remembered() == 1);

        ObjectInfo second = put("same.txt", "same content"); // the executor decides it is done already
        await().atMost(PATIENCE).until(() -> sink.created().size() == 2);
        assertThat(second.eTag()).isEqualTo(first.eTag());

        long reconciles = trigger.reconciles();
        minio.dropStreams();
        await().atMost(PATIENCE).until(() -> trigger.reconciles() > reconciles);
        assertThat(sink.created()).containsExactly("same.txt", "same.txt");
    }

    @Test
    void objectsChangedWhileMinioIsDownAreEmittedAfterReconnecting() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = listening(sink);
        put("before.txt", "1");
        put("gone.txt", "2");
        put("changed.txt", "3");
        await().atMost(PATIENCE).until(() -> sink.created().size() == 3);
        long reconciles = trigger.reconciles();

        minio.refuseConnections(); // MinIO goes down: the stream is cut, reconnects are refused
        await().atMost(PATIENCE).until(() -> trigger.listening().isEmpty());
        put("while-down 1.txt", "4");
        put("while-down+2.txt", "5");
        put("changed.txt", "3, but changed");
        uploader.delete(bucket, "gone.txt");
        minio.acceptConnections();

        await().atMost(PATIENCE).until(() -> trigger.reconciles() > reconciles && sink.removed().contains("gone.txt")
                && sink.created().size() == 6);
        assertThat(sink.created()).containsExactlyInAnyOrder("before.txt", "gone.txt", "changed.txt",
                "while-down 1.txt", "while-down+2.txt", "changed.txt");
        assertThat(sink.removed()).containsExactly("gone.txt");
        assertThat(sink.events().stream().filter(e -> e.key().equals("changed.txt")).map(ObjectEvent::eTag).distinct())
                .as("the change is a new version").hasSize(2);
    }

    @Test
    void aSilentStreamIsDroppedAndWhatItSwallowedIsFoundByListing() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = listening(sink);
        put("first.txt", "1");
        await().atMost(PATIENCE).until(() -> sink.created().size() == 1);
        int requests = minio.acceptedRequests();

        minio.silenceStreams(); // a dead connection: open, but nothing arrives
        put("swallowed.txt", "2");

        await().atMost(PATIENCE).until(() -> minio.acceptedRequests() > requests && sink.created().size() == 2);
        assertThat(sink.created()).containsExactly("first.txt", "swallowed.txt");
        assertThat(trigger.reconciles()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void nothingAcknowledgedIsEmittedAgainAfterReconnectsOrARestart() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = listening(sink);
        for (int i = 0; i < 5; i++) {
            put("done-" + i + ".txt", "x" + i);
        }
        await().atMost(PATIENCE).until(() -> sink.created().size() == 5 && trigger.remembered() == 5);

        for (int drop = 0; drop < 3; drop++) {
            long reconciles = trigger.reconciles();
            minio.dropStreams();
            await().atMost(PATIENCE).until(() -> trigger.reconciles() > reconciles);
        }
        assertThat(sink.created()).hasSize(5);

        trigger.close();
        assertThat(Files.readString(stateFile)).contains("done-4.txt");
        put("while-stopped.txt", "y");

        RecordingSink afterRestart = new RecordingSink(Mode.ACK);
        MinioListenTrigger restarted = listening(trigger(settings()), afterRestart);
        await().atMost(PATIENCE).until(() -> afterRestart.created().contains("while-stopped.txt"));
        assertThat(afterRestart.created()).containsExactly("while-stopped.txt");
        assertThat(restarted.remembered()).isEqualTo(6);
    }

    @Test
    void theFirstStartEmitsWhatIsAlreadyThere() throws Exception {
        put("old/a.txt", "a");
        put("old/b.txt", "b");
        put("folder/", "");

        RecordingSink sink = new RecordingSink(Mode.ACK);
        listening(sink);

        await().atMost(PATIENCE).until(() -> sink.created().size() == 2);
        assertThat(sink.created()).containsExactlyInAnyOrder("old/a.txt", "old/b.txt");
    }

    @Test
    void aNackedEventComesAgainUntilItIsAcknowledged() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        AtomicInteger attempts = new AtomicInteger();
        sink.policy(event -> event.key().equals("flaky.txt") && attempts.incrementAndGet() <= 2 ? Mode.NACK : Mode.ACK);
        MinioListenTrigger trigger = listening(sink);

        put("flaky.txt", "f");
        put("fine.txt", "g");

        await().atMost(PATIENCE).until(() -> trigger.remembered() == 2);
        assertThat(sink.created().stream().filter("flaky.txt"::equals)).hasSize(3);
        long reconciles = trigger.reconciles();
        minio.dropStreams();
        await().atMost(PATIENCE).until(() -> trigger.reconciles() > reconciles);
        assertThat(sink.created().stream().filter("flaky.txt"::equals)).as("acked now: not again").hasSize(3);
        assertThat(sink.created().stream().filter("fine.txt"::equals)).hasSize(1);
    }

    @Test
    void anEventStillBeingProcessedIsNotEmittedTwice() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.HOLD);
        MinioListenTrigger trigger = listening(sink);
        put("slow.mp4", "s");
        await().atMost(PATIENCE).until(() -> sink.created().size() == 1);

        long reconciles = trigger.reconciles();
        minio.dropStreams();
        await().atMost(PATIENCE).until(() -> trigger.reconciles() > reconciles);

        assertThat(sink.created()).containsExactly("slow.mp4");
        assertThat(trigger.inFlight()).isEqualTo(1);
        sink.deliveries().get(0).ack().ack();
        assertThat(trigger.remembered()).isEqualTo(1);
        assertThat(trigger.inFlight()).isZero();
    }

    @Test
    void eventsBeyondTheQueueAreFoundByListingOnceTheSinkCatchesUp() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        sink.policy(event -> event.key().equals("blocker.txt") ? Mode.BLOCK : Mode.ACK);
        MinioListenTrigger trigger = new MinioListenTrigger(storeViaMinio, endpoint(), settings(),
                MinioListenTrigger.DEFAULT_REDELIVER_AFTER, 2);
        triggers.add(trigger);
        listening(trigger, sink);

        put("blocker.txt", "b"); // the dispatcher now waits on the sink, as on a full executor
        await().atMost(PATIENCE).until(() -> sink.created().contains("blocker.txt"));
        for (int i = 0; i < 12; i++) {
            put("burst-" + i + ".txt", "x");
        }
        await().atMost(PATIENCE).until(() -> trigger.listening().size() == 1 && minio.openStreams(bucket) == 1);
        sink.release();

        await().atMost(PATIENCE).until(() -> trigger.remembered() == 13);
        assertThat(Set.copyOf(sink.created())).hasSize(13);
    }

    @Test
    void removalsCanBeLeftOut() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = listening(trigger(settings().withEvents(Set.of(EventType.CREATED))), sink);
        put("a.txt", "a");
        await().atMost(PATIENCE).until(() -> trigger.remembered() == 1);

        uploader.delete(bucket, "a.txt");
        long reconciles = trigger.reconciles();
        minio.dropStreams();
        await().atMost(PATIENCE).until(() -> trigger.reconciles() > reconciles);

        assertThat(sink.removed()).isEmpty();
        assertThat(trigger.remembered()).isZero();
        assertThat(FakeMinio.eventsOf(minio.listenQueries().get(minio.listenQueries().size() - 1)))
                .containsExactly("s3:ObjectCreated:*");
    }

    @Test
    void onlyKeysUnderThePrefixCount() throws Exception {
        put("outside.txt", "o");
        RecordingSink sink = new RecordingSink(Mode.ACK);
        listening(trigger(settings().withPrefix("in/")), sink);
        put("in/side.txt", "i");
        put("also-outside.txt", "o");
        put("in/too.txt", "i");

        await().atMost(PATIENCE).until(() -> sink.created().size() == 2);
        assertThat(sink.created()).containsExactlyInAnyOrder("in/side.txt", "in/too.txt");
    }

    @Test
    void olderMinioKeepAlivesKeepTheStreamAlive() throws Exception {
        minio.ignorePing(true); // a space every half second, in front of the next record
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = listening(sink);
        int requests = minio.acceptedRequests();
        long openedAt = System.nanoTime();
        put("one.txt", "1");
        await().atMost(PATIENCE).until(() -> sink.created().size() == 1);
        // Outlive the idle timeout: the spaces must count as signs of life.
        await().atMost(PATIENCE).until(() -> System.nanoTime() - openedAt > Duration.ofSeconds(5).toNanos());
        put("two.txt", "2");

        await().atMost(PATIENCE).until(() -> sink.created().size() == 2);
        assertThat(sink.created()).containsExactly("one.txt", "two.txt");
        assertThat(minio.acceptedRequests()).as("never reconnected").isEqualTo(requests);
        assertThat(trigger.listening()).containsExactly(bucket);
    }

    @Test
    void anUnreachableMinioAtStartIsRetriedInTheBackground() throws Exception {
        minio.refuseConnections();
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = trigger(settings());
        trigger.start(sink); // does not fail: MinIO may come up later
        put("early.txt", "e");

        minio.acceptConnections();
        await().atMost(PATIENCE).until(() -> sink.created().contains("early.txt"));
        assertThat(trigger.listening()).containsExactly(bucket);
    }

    @Test
    void serverErrorsAreRetried() throws Exception {
        minio.answer(503, "SlowDown");
        RecordingSink sink = new RecordingSink(Mode.ACK);
        MinioListenTrigger trigger = trigger(settings());
        trigger.start(sink);
        await().atMost(PATIENCE).until(() -> minio.refusedRequests() >= 2);

        minio.answer(0, null);
        await().atMost(PATIENCE).until(() -> !trigger.listening().isEmpty());
        put("after.txt", "a");
        await().atMost(PATIENCE).until(() -> sink.created().contains("after.txt"));
    }

    @Test
    void wrongCredentialsFailTheStartSayingWhatToCheck() {
        MinioListenTrigger trigger = new MinioListenTrigger(storeViaMinio,
                ListenEndpoint.of(minio.endpoint(), "us-east-1", true, ACCESS_KEY, "not-the-secret"), settings());
        triggers.add(trigger);

        assertThatThrownBy(() -> trigger.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("403 SignatureDoesNotMatch")
                .hasMessageContaining("store.secretKey")
                .hasMessageContaining("s3:ListenBucketNotification");

        MinioListenTrigger unknownUser = new MinioListenTrigger(storeViaMinio,
                ListenEndpoint.of(minio.endpoint(), "us-east-1", true, "nobody", SECRET_KEY), settings());
        triggers.add(unknownUser);
        assertThatThrownBy(() -> unknownUser.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("InvalidAccessKeyId");
    }

    @Test
    void aMissingBucketFailsTheStart() {
        MinioListenTrigger trigger = trigger(settings(List.of(bucket, "no-such-bucket")));

        assertThatThrownBy(() -> trigger.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("Bucket 'no-such-bucket' does not exist")
                .hasMessageContaining("listen.buckets");
        // the other bucket's stream is closed again
        await().atMost(PATIENCE).until(() -> minio.openStreams(bucket) == 0);
    }

    @Test
    void aStoreWithoutTheListenApiIsNamed() {
        // The embedded server (S3Proxy) takes the listen request for an ordinary listing, once it accepts the
        // signature (it checks it independently; it reads only the first value of a repeated parameter, so the
        // request asks for one event type here).
        MinioListenTrigger trigger = new MinioListenTrigger(uploader,
                ListenEndpoint.of(s3.endpoint(), "us-east-1", true, ACCESS_KEY, SECRET_KEY),
                settings().withEvents(Set.of(EventType.CREATED)));
        triggers.add(trigger);

        assertThatThrownBy(() -> trigger.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("does not offer MinIO's listen API")
                .hasMessageContaining("'webhook' or 'poll'");
    }

    @Test
    void closeCutsTheStreamsAtOnceEvenWhileTheSinkBlocks() throws Exception {
        RecordingSink sink = new RecordingSink(Mode.ACK);
        sink.policy(event -> event.key().equals("stuck.txt") ? Mode.BLOCK : Mode.ACK);
        MinioListenTrigger trigger = listening(sink);
        put("done.txt", "d");
        await().atMost(PATIENCE).until(() -> trigger.remembered() == 1);
        put("stuck.txt", "s");
        await().atMost(PATIENCE).until(() -> sink.created().contains("stuck.txt"));
        assertThat(minio.openStreams(bucket)).isEqualTo(1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(trigger::close);

        await().atMost(PATIENCE).until(closing::isDone);
        await().atMost(PATIENCE).until(() -> minio.openStreams(bucket) == 0);
        assertThat(Files.readString(stateFile)).contains("done.txt").doesNotContain("stuck.txt");
        int requests = minio.acceptedRequests();
        put("after-close.txt", "a");
        assertThat(minio.acceptedRequests()).as("no reconnect after close").isEqualTo(requests);
        sink.release();
    }

    @Test
    void aCorruptStateFileStopsTheStartWithAHint() throws Exception {
        Files.writeString(stateFile, "{\"format\":\"something-else\"}");
        MinioListenTrigger trigger = trigger(settings());

        assertThatThrownBy(() -> trigger.start(new RecordingSink(Mode.ACK)))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining(stateFile.toString())
                .hasMessageContaining("delete it");
    }

    @Test
    void nameSaysWhatAndWhere() {
        assertThat(trigger(settings().withPrefix("in/")).name())
                .isEqualTo("listen s3://" + bucket + "/in/ at " + minio.endpoint());
    }
}
