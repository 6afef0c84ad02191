package dev.sluice.triggers.kafka;

import dev.sluice.core.ConfigException;
import dev.sluice.core.trigger.BrokerMessage;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes S3 event notifications (what MinIO publishes to a Kafka target) from a topic, in a consumer group that
 * every worker joins, so each partition, and each event, goes to one worker.
 *
 * <ul>
 *   <li>Offsets are committed by hand, and only past records that are finished: a record's events were all
 *       acknowledged, or it became a dead letter. Records finish out of order, so a partition's committed offset
 *       is its lowest unfinished record; a worker that dies leaves everything after it to the next owner of the
 *       partition. Re-processing is safe: finished steps find their outputs current and are skipped.</li>
 *   <li>Kafka has no redelivery: a record whose events failed is tried again by this worker after
 *       {@code redeliveryDelay}, and on its {@code maxDeliver}-th failure it becomes a dead letter. Kafka has no
 *       delivery count either, so the counts of unfinished records travel in the committed offset's metadata
 *       ({@link DeliveryCounts}): a record that kills every worker that reads it becomes a dead letter after
 *       {@code maxDeliver} deliveries instead of stalling its partition for good. A body that is not an S3
 *       event notification is a dead letter at once.</li>
 *   <li>Flow: a worker holds at most {@code prefetch} unfinished records; beyond that its partitions are paused
 *       while it keeps polling, so a long job never costs it its place in the group.</li>
 *   <li>Partitions move between workers with the cooperative sticky assignor, so a worker joining or leaving
 *       moves only the partitions it must. A worker losing a partition lets its work in flight finish (up to
 *       {@code shutdownGrace}) and commits before it lets go.</li>
 *   <li>{@link #close()} stops taking records, lets work in flight finish for up to {@code shutdownGrace}, commits
 *       what finished, and leaves the group, so the rest goes to another worker at once.</li>
 * </ul>
 * All use of the (single-threaded) Kafka consumer is on one poll thread; events are handed to the sink from a
 * second thread, because the sink may block (back-pressure) and the consumer must keep polling.
 */
public final class KafkaTrigger implements Trigger {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTrigger.class);
    private static final Duration POLL_WAIT = Duration.ofMillis(100);
    /** How long a call to the brokers may take; Kafka's {@code default.api.timeout.ms} when it is set. */
    private static final Duration DEFAULT_BROKER_WAIT = Duration.ofSeconds(15);
    private static final long HEALTH_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Leaving the group, so that the partitions move at once rather than after the session timeout. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final KafkaSettings settings;
    private final BiConsumer<byte[], String> deadLetters;
    private final BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    /** Records that may be committed past: filled from any thread, drained by the poll thread. */
    private final Queue<Delivery> finished = new ConcurrentLinkedQueue<>();
    /** Failed records waiting for their redelivery delay. */
    private final Set<Delivery> retrying = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unsettled = new AtomicInteger();
    /** The partitions this worker owns and their unfinished records; only the poll thread touches it. */
    private final Map<TopicPartition, PartitionWork> owned = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean consuming;
    private volatile boolean polling;
    private volatile boolean connected;
    private volatile EventSink sink;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Thread pollThread;
    private volatile Thread workThread;
    private volatile ScheduledExecutorService timer;
    private final Duration brokerWait;

    /**
     * @param settings    brokers, topic, group and limits
     * @param deadLetters writes a dead-letter record for a record given up on: its value and a description of why
     *                    (which names the topic, partition, offset and deliveries). It should throw when the record
     *                    could not be stored; it is then tried again later, and not committed until it is stored.
     */
    public KafkaTrigger(KafkaSettings settings, BiConsumer<byte[], String> deadLetters) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        String apiTimeout = settings.clientProperties().get(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
        try {
            this.brokerWait = apiTimeout == null ? DEFAULT_BROKER_WAIT : Duration.ofMillis(Long.parseLong(apiTimeout));
        } catch (NumberFormatException e) {
            throw new ConfigException("Kafka client property default.api.timeout.ms must be milliseconds, was '"
                    + apiTimeout + "'");
        }
    }

    @Override
    public String name() {
        return "kafka " + settings.bootstrapServers() + " topic " + settings.topic() + " group " + settings.group();
    }

    public KafkaSettings settings() {
        return settings;
    }

    /**
     * Makes sure the topic exists (creating it when missing), joins the group and starts consuming.
     *
     * @throws ConfigException when the brokers cannot be reached, refuse the credentials, or the topic can be
     *                         neither found nor created
     */
    @Override
    public synchronized void start(EventSink sink) {
        Objects.requireNonNull(sink, "sink");
        if (closed.get()) {
            throw new IllegalStateException("The Kafka trigger is closed; create a new one.");
        }
        if (consumer != null) {
            throw new IllegalStateException("The Kafka trigger is already started.");
        }
        this.sink = sink;
        ensureTopic();
        KafkaConsumer<byte[], byte[]> created;
        try {
            created = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new ConfigException("Kafka consumer settings are not usable: " + describe(e), e);
        }
        created.subscribe(List.of(settings.topic()), new Rebalance());
        this.consumer = created;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sluice-kafka-redelivery"));
        consuming = true;
        polling = true;
        workThread = daemon(this::workLoop, "sluice-kafka-work");
        pollThread = daemon(this::pollLoop, "sluice-kafka-poll");
        workThread.start();
        pollThread.start();
        LOG.info("Consuming S3 events from {} (prefetch {}, max deliveries {})", name(), settings.prefetch(),
                settings.maxDeliver());
    }

    /** True while the trigger is started, not closing, and connected to a broker. */
    public boolean isConnected() {
        return consuming && connected;
    }

    /** Records received and not yet finished, given back or dead-lettered. */
    public int unsettled() {
        return unsettled.get();
    }

    /**
     * Stops taking records, gives back those not started, waits up to {@code shutdownGrace} for the work in
     * flight, commits what finished and leaves the group.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        consuming = false;
        join(workThread, Duration.ofSeconds(2));
        inbox.forEach(Delivery::notStarted);
        inbox.clear();
        retrying.forEach(Delivery::giveBack);
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        try {
            while (unsettled.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (unsettled.get() > 0) {
            LOG.warn("Leaving {} unfinished record(s) of topic {} uncommitted for the next worker", unsettled.get(),
                    settings.topic());
        }
        polling = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        join(pollThread, brokerWait.plus(CLOSE_WAIT)); // its last commit, then leaving the group
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private static void join(Thread thread, Duration wait) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(wait.toMillis());
            if (thread.isAlive()) {
                thread.interrupt(); // e.g. blocked handing an event over (back-pressure): it gives the record back
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- set-up

    private Map<String, Object> commonProperties() {
        Map<String, Object> properties = new HashMap<>(settings.clientProperties());
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        return properties;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> properties = commonProperties();
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.prefetch());
        // events published before the first worker joined are work too
        properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a worker joining or leaving moves only the partitions that must move, not the work of every worker
        properties.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                CooperativeStickyAssignor.class.getName());
        properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-worker-" + ProcessHandle.current().pid());
        return properties;
    }

    private void ensureTopic() {
        Map<String, Object> properties = commonProperties();
        properties.keySet().removeIf(key -> key.startsWith("auto.") || key.startsWith("fetch.")
                || key.startsWith("session.") || key.startsWith("heartbeat.") || key.startsWith("max.poll")
                || key.startsWith("partition.") || key.startsWith("isolation.") || key.startsWith("group."));
        try (Admin admin = Admin.create(properties)) {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs((int) brokerWait.toMillis()))
                    .names().get(brokerWait.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            if (topics.contains(settings.topic())) {
                return;
            }
            try {
                admin.createTopics(List.of(new NewTopic(settings.topic(), Optional.of(settings.partitions()),
                        Optional.empty()))).all().get(brokerWait.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created Kafka topic {} with {} partitions", settings.topic(), settings.partitions());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // another worker was quicker
                    throw new ConfigException("Kafka topic " + settings.topic() + " does not exist and cannot be "
                            + "created (" + describe(e.getCause()) + "); create it (kafka-topics.sh --create --topic "
                            + settings.topic() + " --partitions " + settings.partitions() + ") or let the worker's "
                            + "user create topics", e.getCause());
                }
            }
        } catch (TimeoutException e) {
            throw unreachable("no answer within " + brokerWait.toString().substring(2).toLowerCase(), e);
        } catch (ExecutionException e) {
            throw unreachable(describe(e.getCause()), e.getCause());
        } catch (KafkaException e) { // e.g. no resolvable bootstrap address, bad security settings
            throw unreachable(describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("Interrupted while connecting to Kafka at " + settings.bootstrapServers(), e);
        }
    }

    private ConfigException unreachable(String why, Throwable cause) {
        String hint = cause instanceof AuthenticationException || cause instanceof AuthorizationException
                ? "check the user, password and ACLs in the client properties"
                : "is Kafka running, and are the bootstrap servers (as this worker reaches them) right?";
        return new ConfigException("Cannot use Kafka at " + settings.bootstrapServers() + " (" + why + "); " + hint,
                cause);
    }

    // ---- poll thread

    private void pollLoop() {
        long nextHealthCheck = System.nanoTime();
        try {
            while (polling) {
                try {
                    commitFinished(false);
                    flowControl();
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_WAIT)) {
                        receive(record);
                    }
                    if (System.nanoTime() - nextHealthCheck >= 0) {
                        connected = hasBrokerConnection();
                        nextHealthCheck = System.nanoTime() + HEALTH_CHECK_NANOS;
                    }
                } catch (WakeupException e) {
                    // close() wants the loop to look at its flags now
                } catch (InterruptException e) {
                    return;
                } catch (KafkaException e) {
                    connected = false;
                    boolean fatal = e instanceof AuthenticationException || e instanceof AuthorizationException;
                    LOG.warn("Polling Kafka topic {} failed ({}); trying again{}", settings.topic(), describe(e),
                            fatal ? " (check the credentials and ACLs of group " + settings.group() + ")" : "");
                    pause(fatal ? 5_000 : 1_000);
                }
            }
        } finally {
            connected = false;
            try {
                commitFinished(true);
            } catch (KafkaException e) {
                LOG.warn("Committing the finished records of topic {} failed ({}); they will be processed again, "
                        + "and skipped where their outputs are current", settings.topic(), describe(e));
            }
            try {
                consumer.close(CLOSE_WAIT);
            } catch (KafkaException e) {
                LOG.debug("Closing the Kafka consumer failed: {}", e.toString());
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void receive(ConsumerRecord<byte[], byte[]> record) {
        PartitionWork work = owned.get(new TopicPartition(record.topic(), record.partition()));
        if (work == null || !consuming) {
            // not ours any more, or stopping (a partition assigned while closing is not paused yet): the next
            // owner reads it from the committed offset
            return;
        }
        Delivery delivery = work.receive(record.offset(), record.value() == null ? new byte[0] : record.value());
        unsettled.incrementAndGet();
        inbox.add(delivery);
    }

    /** Pauses every partition while this worker holds {@code prefetch} unfinished records or is stopping. */
    private void flowControl() {
        if (!consuming || unsettled.get() >= settings.prefetch()) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /** Moves each partition's committed offset up to its lowest unfinished record. */
    private void commitFinished(boolean wait) {
        Delivery done;
        while ((done = finished.poll()) != null) {
            done.partition.finish(done.offset);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionWork work : owned.values()) {
            OffsetAndMetadata position = work.position();
            if (position != null && !position.equals(work.committed) && (wait || !position.equals(work.committing))) {
                offsets.put(work.partition, position);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (wait) {
            consumer.commitSync(offsets, brokerWait);
            offsets.forEach((partition, offset) -> {
                PartitionWork work = owned.get(partition);
                if (work != null) {
                    work.committed = offset;
                }
            });
            return;
        }
        offsets.forEach((partition, offset) -> owned.get(partition).committing = offset);
        consumer.commitAsync(offsets, (committed, failure) -> committed.forEach((partition, offset) -> {
            PartitionWork work = owned.get(partition); // the callback runs on this thread, within poll
            if (work == null || !offset.equals(work.committing)) {
                return;
            }
            work.committing = null;
            if (failure == null) {
                work.committed = offset;
            } else {
                LOG.debug("Committing {} of {} failed ({}); trying again", offset.offset(), partition,
                        failure.toString());
            }
        }));
    }

    private boolean hasBrokerConnection() {
        return consumer.metrics().entrySet().stream()
                .filter(metric -> metric.getKey().name().equals("connection-count")
                        && metric.getKey().group().equals("consumer-metrics"))
                .anyMatch(metric -> metric.getValue().metricValue() instanceof Number n && n.doubleValue() > 0);
    }

    /** Called within poll, on the poll thread. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
            try {
                committed = consumer.committed(new HashSet<>(partitions), brokerWait);
            } catch (KafkaException e) {
                LOG.warn("Reading the committed offsets of {} failed ({}); their delivery counts start again",
                        partitions, describe(e));
            }
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                owned.put(partition, new PartitionWork(partition,
                        offset == null ? Map.of() : DeliveryCounts.decode(offset.metadata()), offset));
            }
            LOG.info("Consuming partitions {}", partitions);
        }

        /** Another worker takes these: let their work in flight finish (within the grace) and commit it. */
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            List<PartitionWork> leaving = partitions.stream().map(owned::get).filter(Objects::nonNull).toList();
            for (PartitionWork work : leaving) {
                inbox.removeIf(delivery -> delivery.partition == work && delivery.notStarted());
                retrying.removeIf(delivery -> delivery.partition == work && delivery.giveBack());
            }
            long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
            while (leaving.stream().anyMatch(PartitionWork::hasWorkInFlight) && System.nanoTime() < deadline) {
                commitFinishedQuietly(false);
                pause(20);
            }
            commitFinishedQuietly(true);
            release(partitions);
            LOG.info("Let go of partitions {} (moved to another worker, or stopping)", partitions);
        }

        /** Someone else owns these already: committing is no longer ours to do. */
        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warn("Lost partitions {} (this worker was too slow to answer the group); their unfinished records "
                    + "go to another worker", partitions);
            release(partitions);
        }

        private void commitFinishedQuietly(boolean wait) {
            try {
                commitFinished(wait);
            } catch (KafkaException e) {
                LOG.warn("Committing before handing over partitions failed: {}", describe(e));
            }
        }

        private void release(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                PartitionWork work = owned.remove(partition);
                if (work != null) {
                    work.revoked = true;
                    inbox.removeIf(delivery -> delivery.partition == work && delivery.notStarted());
                    retrying.removeIf(delivery -> delivery.partition == work && delivery.giveBack());
                    work.pending.values().forEach(Delivery::giveBack); // still running: its outcome is ignored
                }
            }
        }
    }

    // ---- work thread

    private void workLoop() {
        while (consuming) {
            Delivery delivery;
            try {
                delivery = inbox.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (delivery == null || delivery.isSettled()) {
                continue;
            }
            if (!consuming) {
                delivery.giveBack();
                return;
            }
            try {
                handle(delivery);
            } catch (RuntimeException e) { // a bug, not bad input: try again later rather than stop consuming
                LOG.error("Handling {} failed; trying it again later", delivery, e);
                retryLater(delivery);
            }
        }
    }

    private void handle(Delivery delivery) {
        // Kafka needs no progress signal: the consumer's own heartbeats keep this worker's partitions its own.
        BrokerMessage.handle(delivery, settings.maxDeliver(), sink, () -> consuming);
    }

    /** Holds the record for the redelivery delay, then hands it to the work thread again. */
    private void retryLater(Delivery delivery) {
        retrying.add(delivery);
        try {
            timer.schedule(() -> {
                if (retrying.remove(delivery) && !delivery.isSettled()) {
                    delivery.attempt++;
                    inbox.add(delivery);
                }
            }, settings.redeliveryDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // timer stopped: closing
            retrying.remove(delivery);
            delivery.giveBack();
        }
    }

    private void deadLetter(Delivery delivery, String reason) {
        if (delivery.isSettled()) {
            return; // given back already (stopping, or the partition moved)
        }
        String description = delivery + ": " + reason;
        try {
            deadLetters.accept(delivery.body, description);
        } catch (RuntimeException e) {
            LOG.error("Dead letter for {} could not be written ({}); trying again later", delivery, e.toString());
            retryLater(delivery);
            return;
        }
        LOG.warn("Dead letter: {}", description);
        delivery.finished();
    }

    private static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    private static Thread daemon(Runnable work, String name) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        return thread;
    }

    /** One owned partition: its unfinished records and where its committed offset stands. Poll thread only. */
    private final class PartitionWork {
        final TopicPartition partition;
        /** Deliveries of records before this worker got the partition, from the committed metadata. */
        final Map<Long, Integer> earlierDeliveries;
        final TreeMap<Long, Delivery> pending = new TreeMap<>();
        long next = -1;
        volatile boolean revoked;
        OffsetAndMetadata committed;
        OffsetAndMetadata committing;

        PartitionWork(TopicPartition partition, Map<Long, Integer> earlierDeliveries, OffsetAndMetadata committed) {
            this.partition = partition;
            this.earlierDeliveries = new HashMap<>(earlierDeliveries);
            this.committed = committed;
        }

        Delivery receive(long offset, byte[] body) {
            Integer earlier = earlierDeliveries.remove(offset);
            Delivery delivery = new Delivery(this, offset, body, earlier == null ? 1 : earlier + 1);
            pending.put(offset, delivery);
            next = Math.max(next, offset + 1);
            return delivery;
        }

        void finish(long offset) {
            pending.remove(offset);
        }

        boolean hasWorkInFlight() {
            return pending.values().stream().anyMatch(delivery -> !delivery.isSettled());
        }

        /** The offset to commit: the lowest unfinished record, with the delivery counts of all unfinished ones. */
        OffsetAndMetadata position() {
            if (pending.isEmpty()) {
                return next < 0 ? null : new OffsetAndMetadata(next, "");
            }
            Map<Long, Integer> counts = new TreeMap<>();
            pending.forEach((offset, delivery) -> counts.put(offset, delivery.attempt));
            return new OffsetAndMetadata(pending.firstKey(), DeliveryCounts.encode(counts));
        }
    }

    /** One received record until it is finished (committable) or given back (left for the next owner). */
    private final class Delivery implements BrokerMessage {
        final PartitionWork partition;
        final long offset;
        final byte[] body;
        volatile int attempt;
        private final AtomicBoolean settled = new AtomicBoolean();

        Delivery(PartitionWork partition, long offset, byte[] body, int attempt) {
            this.partition = partition;
            this.offset = offset;
            this.body = body;
            this.attempt = attempt;
        }

        boolean isSettled() {
            return settled.get();
        }

        @Override
        public byte[] body() {
            return body;
        }

        @Override
        public long deliveries() {
            return attempt;
        }

        /** Done: its offset may be committed past. */
        @Override
        public void finished() {
            if (settle()) {
                KafkaTrigger.this.finished.add(this);
            }
        }

        /** Stopping: it stays uncommitted, for the partition's next owner. */
        @Override
        public void handBack() {
            giveBack();
        }

        @Override
        public void redeliverLater(String failure) {
            LOG.info("{} failed (at most {} deliveries), trying it again in {}: {}", this, settings.maxDeliver(),
                    settings.redeliveryDelay(), failure);
            retryLater(this);
        }

        @Override
        public void deadLetter(String reason) {
            KafkaTrigger.this.deadLetter(this, reason);
        }

        /** Not done, and not to be done here: it stays uncommitted. True when this call settled it. */
        boolean giveBack() {
            return settle();
        }

        /**
         * Given back before it was tried (stopping, or the partition moved): this delivery does not count towards
         * {@code maxDeliver}. True when this call settled it.
         */
        boolean notStarted() {
            if (!settle()) {
                return false;
            }
            attempt--;
            return true;
        }

        private boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            unsettled.decrementAndGet();
            return true;
        }

        @Override
        public String toString() {
            return "Kafka record " + partition.partition + "@" + offset + " (delivery " + attempt + ")";
        }
    }
}
