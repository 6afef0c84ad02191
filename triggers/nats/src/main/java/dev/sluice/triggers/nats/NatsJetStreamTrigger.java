package dev.sluice.triggers.nats;

import dev.sluice.core.ConfigException;
import dev.sluice.core.trigger.BrokerMessage;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes S3 event notifications (what MinIO publishes to a NATS JetStream target) through a durable pull
 * consumer that every worker shares, so each event goes to one worker.
 *
 * <ul>
 *   <li>The stream is created with work-queue retention when it does not exist: an acknowledged message is
 *       deleted. The durable consumer acks explicitly and redelivers after {@code ackWait}.</li>
 *   <li>A worker pulls a message only when it has room ({@code prefetch} un-settled messages at most), and
 *       sends an in-progress signal for every un-settled message every third of {@code ackWait}, so a long job
 *       keeps its message instead of it being redelivered to a second worker.</li>
 *   <li>A message is acknowledged when the sink acknowledges all its events; nacked (redelivered after
 *       {@code redeliveryDelay}) when one is nacked. On its {@code maxDeliver}-th failed delivery, or when it
 *       arrives after {@code maxDeliver} deliveries that never finished (a worker died each time), it is
 *       handed to the dead-letter callback and terminated instead of looping. A body that is not an S3 event
 *       notification is a dead letter at once.</li>
 *   <li>If the dead-letter callback throws, the message is redelivered instead; the consumer's server-side
 *       {@code MaxDeliver} is {@code maxDeliver + }{@value #DEAD_LETTER_DELIVERIES}, so a store that is
 *       briefly down does not lose it.</li>
 *   <li>{@link #close()} stops pulling, lets work in flight finish for up to {@code shutdownGrace}, and hands
 *       what is left back to the server at once (nak) for another worker.</li>
 * </ul>
 */
public final class NatsJetStreamTrigger implements Trigger {
    private static final Logger LOG = LoggerFactory.getLogger(NatsJetStreamTrigger.class);
    /** Longest wait of one pull; also bounds how long {@link #close()} waits for the pulling thread. */
    private static final Duration PULL_WAIT = Duration.ofSeconds(1);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);
    /** Server-side deliveries beyond {@code maxDeliver}: further chances to write the dead letter. */
    static final int DEAD_LETTER_DELIVERIES = 5;
    private static final int STREAM_NOT_FOUND = 10059;

    private final NatsSettings settings;
    private final BiConsumer<byte[], String> deadLetters;
    private final Set<Delivery> unsettled = ConcurrentHashMap.newKeySet();
    private final Semaphore room;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean pulling;
    private volatile EventSink sink;
    private volatile Connection connection;
    private volatile ConsumerContext consumer;
    private volatile Thread puller;
    private volatile ScheduledExecutorService timer;

    /**
     * @param settings    server, stream, consumer and limits
     * @param deadLetters writes a dead-letter record for a message given up on: its body and a description of
     *                    why (which names the stream, sequence and deliveries). It should throw when the record
     *                    could not be stored; the message is then delivered again later.
     */
    public NatsJetStreamTrigger(NatsSettings settings, BiConsumer<byte[], String> deadLetters) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.room = new Semaphore(settings.prefetch());
    }

    @Override
    public String name() {
        return "nats " + settings.safeUrl() + " stream " + settings.stream() + " consumer " + settings.consumer();
    }

    public NatsSettings settings() {
        return settings;
    }

    @Override
    public synchronized void start(EventSink sink) throws Exception {
        Objects.requireNonNull(sink, "sink");
        if (closed.get()) {
            throw new IllegalStateException("The NATS trigger is closed; create a new one.");
        }
        if (connection != null) {
            throw new IllegalStateException("The NATS trigger is already started.");
        }
        this.sink = sink;
        Connection conn = connect();
        try {
            ensureStream(conn.jetStreamManagement());
            this.consumer = conn.getStreamContext(settings.stream()).createOrUpdateConsumer(consumerConfiguration());
        } catch (JetStreamApiException | IOException | RuntimeException e) {
            conn.close();
            if (e instanceof JetStreamApiException api && api.getApiErrorCode() == 10039) {
                throw new ConfigException("The NATS server at " + settings.safeUrl() + " has JetStream off; start it "
                        + "with -js (nats-server -js).", e);
            }
            throw e;
        }
        this.connection = conn;
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-nats-progress");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(250, settings.ackWait().toMillis() / 3);
        progress.scheduleAtFixedRate(this::signalProgress, period, period, TimeUnit.MILLISECONDS);
        this.timer = progress;
        pulling = true;
        Thread thread = new Thread(this::pullLoop, "sluice-nats-pull");
        thread.setDaemon(true);
        this.puller = thread;
        thread.start();
        LOG.info("Consuming S3 events from {} (subject {}, prefetch {}, ack wait {}, max deliveries {})", name(),
                settings.subject(), settings.prefetch(), settings.ackWait(), settings.maxDeliver());
    }

    /** True while the trigger is started, not closing, and connected to the server. */
    public boolean isConnected() {
        Connection conn = connection;
        return pulling && conn != null && conn.getStatus() == Connection.Status.CONNECTED;
    }

    /** Messages received and not yet acknowledged, nacked or dead-lettered. */
    public int unsettled() {
        return unsettled.size();
    }

    /**
     * Stops pulling, waits up to {@code shutdownGrace} for the messages in flight to settle, hands the rest back
     * to the server (nak, so another worker gets them now), and disconnects.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pulling = false;
        Thread thread = puller;
        if (thread != null) {
            try {
                thread.join(PULL_WAIT.toMillis() + 1_000);
                if (thread.isAlive()) {
                    thread.interrupt(); // blocked handing an event over (back-pressure): give it back
                    thread.join(2_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        try {
            while (!unsettled.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!unsettled.isEmpty()) {
            LOG.warn("Handing {} unfinished message(s) back to NATS for another worker", unsettled.size());
        }
        for (Delivery delivery : List.copyOf(unsettled)) {
            delivery.settle(() -> delivery.message.nak());
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        Connection conn = connection;
        if (conn != null) {
            try {
                conn.flush(ACK_TIMEOUT);
            } catch (Exception e) {
                LOG.debug("Flushing acks before disconnecting failed: {}", e.toString());
            }
            try {
                conn.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Connection connect() throws IOException, InterruptedException {
        Options options = Options.builder()
                .server(settings.url())
                .connectionName("sluice-worker")
                .maxReconnects(-1)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        try {
            return Nats.connect(options);
        } catch (IOException e) {
            throw new ConfigException("Cannot connect to NATS at " + settings.safeUrl() + " (" + e.getMessage()
                    + "); is nats-server running with JetStream (nats-server -js), and is the URL right?", e);
        }
    }

    private void ensureStream(JetStreamManagement jsm) throws IOException, JetStreamApiException {
        StreamInfo info;
        try {
            info = jsm.getStreamInfo(settings.stream());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                throw e;
            }
            info = createStream(jsm);
        }
        StreamConfiguration existing = info.getConfiguration();
        if (existing.getRetentionPolicy() != RetentionPolicy.WorkQueue) {
            LOG.warn("NATS stream {} has {} retention, not WorkQueue: acknowledged events stay in the stream",
                    settings.stream(), existing.getRetentionPolicy());
        }
    }

    private StreamInfo createStream(JetStreamManagement jsm) throws IOException, JetStreamApiException {
        StreamConfiguration config = StreamConfiguration.builder()
                .name(settings.stream())
                .subjects(settings.subject())
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .storageType(StorageType.File)
                .build();
        try {
            StreamInfo created = jsm.addStream(config);
            LOG.info("Created NATS stream {} (work queue) on subject {}", settings.stream(), settings.subject());
            return created;
        } catch (JetStreamApiException e) {
            try {
                return jsm.getStreamInfo(settings.stream()); // another worker created it first
            } catch (JetStreamApiException again) {
                throw new ConfigException("Cannot create NATS stream " + settings.stream() + " on subject "
                        + settings.subject() + ": " + e.getMessage() + ". If another stream already captures that "
                        + "subject, name that stream in the settings instead.", e);
            }
        }
    }

    private ConsumerConfiguration consumerConfiguration() {
        return ConsumerConfiguration.builder()
                .durable(settings.consumer())
                .filterSubject(settings.subject())
                .ackPolicy(AckPolicy.Explicit)
                .ackWait(settings.ackWait())
                .maxDeliver(settings.maxDeliver() + DEAD_LETTER_DELIVERIES)
                .deliverPolicy(DeliverPolicy.All)
                .build();
    }

    private void pullLoop() {
        while (pulling) {
            try {
                room.acquire();
            } catch (InterruptedException e) {
                return;
            }
            Message message;
            try {
                message = consumer.next(PULL_WAIT);
            } catch (InterruptedException e) {
                room.release();
                return;
            } catch (Exception e) {
                room.release();
                if (pulling) {
                    LOG.warn("Pulling from NATS stream {} failed, retrying: {}", settings.stream(), e.toString());
                    sleepQuietly(Duration.ofSeconds(1));
                }
                continue;
            }
            if (message == null) {
                room.release();
                continue;
            }
            if (!pulling) {
                message.nak(); // pulled while stopping: give it straight back
                room.release();
                return;
            }
            Delivery delivery = new Delivery(message);
            unsettled.add(delivery);
            try {
                handle(delivery);
            } catch (RuntimeException e) { // a bug, not bad input: hand the message back rather than stop pulling
                LOG.error("Handling {} failed; handing it back", delivery, e);
                delivery.settle(() -> message.nakWithDelay(settings.redeliveryDelay()));
            }
        }
    }

    private void handle(Delivery delivery) {
        BrokerMessage.handle(delivery, settings.maxDeliver(), sink, () -> pulling);
    }

    private void ack(Delivery delivery) {
        try {
            delivery.message.ackSync(ACK_TIMEOUT);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // The work is done and its outputs are stored; a redelivery finds them current and skips the steps.
            LOG.warn("Acknowledging {} failed; it will be delivered again: {}", delivery, e.toString());
        }
    }

    private void deadLetter(Delivery delivery, String reason) {
        String description = delivery + ": " + reason;
        delivery.settle(() -> {
            try {
                deadLetters.accept(delivery.message.getData(), description);
            } catch (RuntimeException e) {
                LOG.error("Dead letter for {} could not be written ({}); delivering it again in {}", delivery,
                        e.toString(), settings.redeliveryDelay());
                delivery.message.nakWithDelay(settings.redeliveryDelay());
                return;
            }
            LOG.warn("Dead letter: {}", description);
            delivery.message.term();
        });
    }

    private void signalProgress() {
        for (Delivery delivery : unsettled) {
            delivery.inProgress();
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One received message until it is settled; settling it gives its room back to the puller. */
    private final class Delivery implements BrokerMessage {
        final Message message;
        private final AtomicBoolean settled = new AtomicBoolean();

        Delivery(Message message) {
            this.message = message;
        }

        @Override
        public byte[] body() {
            return message.getData();
        }

        @Override
        public long deliveries() {
            return message.isJetStream() ? message.metaData().deliveredCount() : 1;
        }

        @Override
        public void finished() {
            settle(() -> ack(this));
        }

        @Override
        public void handBack() {
            settle(message::nak); // stopping: hand back now, no delay
        }

        @Override
        public void redeliverLater(String failure) {
            LOG.info("{} failed (at most {} deliveries), redelivering in {}: {}", this, settings.maxDeliver(),
                    settings.redeliveryDelay(), failure);
            settle(() -> message.nakWithDelay(settings.redeliveryDelay()));
        }

        @Override
        public void deadLetter(String reason) {
            NatsJetStreamTrigger.this.deadLetter(this, reason);
        }

        @Override
        public void inProgress() {
            if (!settled.get()) {
                try {
                    message.inProgress();
                } catch (RuntimeException e) {
                    LOG.debug("In-progress signal for {} failed: {}", this, e.toString());
                }
            }
        }

        /** Runs {@code action} (ack, nak, term) if nothing settled this delivery before. */
        void settle(Runnable action) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("Settling {} failed; it will be delivered again: {}", this, e.toString());
            } finally {
                unsettled.remove(this);
                room.release();
            }
        }

        @Override
        public String toString() {
            return message.isJetStream()
                    ? "NATS message " + settings.stream() + "#" + message.metaData().streamSequence()
                    + " (" + message.getSubject() + ", delivery " + deliveries() + ")"
                    : "NATS message on " + message.getSubject();
        }
    }
}
