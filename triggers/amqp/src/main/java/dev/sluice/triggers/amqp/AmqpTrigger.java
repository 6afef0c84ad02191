package dev.sluice.triggers.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.trigger.BrokerMessage;
import dev.sluice.core.trigger.EventSink;
import dev.sluice.core.trigger.Trigger;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes S3 event notifications (what MinIO publishes to an AMQP target) from a RabbitMQ quorum queue that
 * every worker shares, so each event goes to one worker.
 *
 * <ul>
 *   <li>The queue is declared as a quorum queue with {@code x-delivery-limit} and an
 *       {@code x-dead-letter-exchange}, and bound to the exchange the store publishes to.</li>
 *   <li>Manual acknowledgements with {@code basic.qos(prefetch)}: a worker holds at most {@code prefetch}
 *       messages. AMQP heartbeats keep the connection, and with it every message the worker holds, alive
 *       through long jobs; if the worker dies, the broker returns its messages to the queue for another.</li>
 *   <li>A message is acknowledged when the sink acknowledges all its events, and returned to the queue
 *       (after {@code redeliveryDelay}) when one is nacked. On its {@code maxDeliver}-th failed delivery, or when
 *       it arrives after {@code maxDeliver} deliveries that never finished (the worker died each time), it is
 *       handed to the dead-letter callback and acknowledged instead of looping. A body that is not an S3 event
 *       notification is a dead letter at once. The delivery count is the quorum queue's
 *       {@code x-delivery-count} header.</li>
 *   <li>If the dead-letter callback throws, the message is returned instead; the queue's delivery limit is
 *       {@code maxDeliver + }{@value #DEAD_LETTER_DELIVERIES}, after which the broker itself moves it to the
 *       dead-letter exchange, so it is never lost.</li>
 *   <li>{@link #close()} cancels the consumer, returns messages not yet started, lets work in flight finish
 *       for up to {@code shutdownGrace}, and returns what is left for another worker.</li>
 * </ul>
 * RabbitMQ closes a channel that holds a message longer than its {@code consumer_timeout} (30 minutes by
 * default); raise it in {@code rabbitmq.conf} for jobs that run longer.
 */
public final class AmqpTrigger implements Trigger {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpTrigger.class);
    /** Longest wait for the next message; also bounds how long {@link #close()} waits for the worker thread. */
    private static final Duration POLL_WAIT = Duration.ofSeconds(1);
    /** Deliveries beyond {@code maxDeliver} the queue allows: further chances to write the dead letter. */
    static final int DEAD_LETTER_DELIVERIES = 5;
    static final String DELIVERY_COUNT = "x-delivery-count";

    private final AmqpSettings settings;
    private final BiConsumer<byte[], String> deadLetters;
    private final BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    private final Set<Delivery> unsettled = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object channelLock = new Object();
    private volatile boolean consuming;
    private volatile EventSink sink;
    private volatile Connection connection;
    private volatile Channel channel;
    private volatile String consumerTag;
    private volatile Thread worker;
    private volatile ScheduledExecutorService timer;

    /**
     * @param settings    broker, exchange, queue and limits
     * @param deadLetters writes a dead-letter record for a message given up on: its body and a description of
     *                    why (which names the queue and deliveries). It should throw when the record could not
     *                    be stored; the message is then returned and delivered again.
     */
    public AmqpTrigger(AmqpSettings settings, BiConsumer<byte[], String> deadLetters) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    @Override
    public String name() {
        return "amqp " + settings.safeUri() + " queue " + settings.queue();
    }

    public AmqpSettings settings() {
        return settings;
    }

    @Override
    public synchronized void start(EventSink sink) throws Exception {
        Objects.requireNonNull(sink, "sink");
        if (closed.get()) {
            throw new IllegalStateException("The AMQP trigger is closed; create a new one.");
        }
        if (connection != null) {
            throw new IllegalStateException("The AMQP trigger is already started.");
        }
        this.sink = sink;
        Connection conn = connect();
        try {
            declareTopology(conn);
            Channel ch = conn.createChannel();
            ch.basicQos(settings.prefetch());
            this.channel = ch;
            this.connection = conn;
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-amqp-redelivery");
                t.setDaemon(true);
                return t;
            });
            consuming = true;
            Thread thread = new Thread(this::workLoop, "sluice-amqp-work");
            thread.setDaemon(true);
            this.worker = thread;
            thread.start();
            this.consumerTag = ch.basicConsume(settings.queue(), false, new Receiver(ch));
        } catch (IOException | RuntimeException e) {
            consuming = false;
            closeQuietly(conn);
            throw e;
        }
        LOG.info("Consuming S3 events from {} (exchange '{}' routing key '{}', prefetch {}, max deliveries {})",
                name(), settings.exchange(), settings.routingKey(), settings.prefetch(), settings.maxDeliver());
    }

    /** True while the trigger is started, not closing, and connected to the broker. */
    public boolean isConnected() {
        Connection conn = connection;
        return consuming && conn != null && conn.isOpen();
    }

    /** Messages received and not yet acknowledged, returned or dead-lettered. */
    public int unsettled() {
        return unsettled.size();
    }

    /**
     * Cancels the consumer, returns the messages not started yet, waits up to {@code shutdownGrace} for the
     * messages in flight to settle, returns the rest for another worker, and disconnects.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        consuming = false;
        Channel ch = channel;
        if (ch != null && consumerTag != null) {
            try {
                synchronized (channelLock) {
                    ch.basicCancel(consumerTag);
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Cancelling the consumer failed: {}", e.toString());
            }
        }
        Thread thread = worker;
        if (thread != null) {
            try {
                thread.join(POLL_WAIT.toMillis() + 1_000);
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
            do {
                returnNotStarted(); // including any that arrived before the broker processed the cancel
                if (unsettled.isEmpty()) {
                    break;
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!unsettled.isEmpty()) {
            LOG.warn("Returning {} unfinished message(s) to queue {} for another worker", unsettled.size(),
                    settings.queue());
        }
        for (Delivery delivery : List.copyOf(unsettled)) {
            delivery.settle(() -> requeue(delivery));
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        closeQuietly(connection);
    }

    private void returnNotStarted() {
        List<Delivery> notStarted = new ArrayList<>();
        inbox.drainTo(notStarted);
        notStarted.forEach(delivery -> delivery.settle(() -> requeue(delivery)));
    }

    private Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(settings.uri());
        } catch (Exception e) {
            throw new ConfigException("AMQP uri " + settings.safeUri() + " is not usable: " + e.getMessage(), e);
        }
        factory.setRequestedHeartbeat((int) Math.min(Integer.MAX_VALUE, settings.heartbeat().toSeconds()));
        factory.setConnectionTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(2_000);
        try {
            return factory.newConnection("sluice-worker");
        } catch (IOException | TimeoutException e) {
            throw new ConfigException("Cannot connect to the AMQP broker at " + settings.safeUri() + " ("
                    + describe(e) + "); is RabbitMQ running, and are the URL, user and password right?", e);
        }
    }

    /**
     * Declares the exchange (unless it exists: MinIO may have declared it already, with its own flags), the
     * quorum queue with its delivery limit and dead-letter exchange, the binding, and the dead-letter queue.
     * Each declaration runs on a channel of its own, because a failed one closes its channel.
     */
    private void declareTopology(Connection conn) throws IOException {
        String exchange = settings.exchange();
        if (!exchange.isEmpty() && !exists(conn, ch -> ch.exchangeDeclarePassive(exchange))) {
            declare(conn, "exchange " + exchange, ch -> ch.exchangeDeclare(exchange, settings.exchangeType(), true));
        }
        String dlx = settings.deadLetterExchange();
        declare(conn, "dead-letter exchange " + dlx, ch -> {
            ch.exchangeDeclare(dlx, "fanout", true);
            ch.queueDeclare(dlx, true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueBind(dlx, dlx, "");
        });
        Map<String, Object> arguments = Map.of(
                "x-queue-type", "quorum",
                "x-delivery-limit", settings.maxDeliver() + DEAD_LETTER_DELIVERIES,
                "x-dead-letter-exchange", dlx);
        declare(conn, "queue " + settings.queue(), ch -> {
            ch.queueDeclare(settings.queue(), true, false, false, arguments);
            if (!exchange.isEmpty()) {
                ch.queueBind(settings.queue(), exchange, settings.routingKey());
            }
        });
    }

    private interface ChannelWork {
        void run(Channel channel) throws IOException;
    }

    private static boolean exists(Connection conn, ChannelWork passiveDeclare) throws IOException {
        Channel ch = conn.createChannel();
        try {
            passiveDeclare.run(ch);
            return true;
        } catch (IOException e) {
            return false; // NOT_FOUND closes the channel
        } finally {
            closeQuietly(ch);
        }
    }

    private void declare(Connection conn, String what, ChannelWork work) throws IOException {
        Channel ch = conn.createChannel();
        try {
            work.run(ch);
        } catch (IOException e) {
            throw new ConfigException("Cannot declare " + what + " on " + settings.safeUri() + ": " + describe(e)
                    + ". If it exists with other arguments (an older delivery limit, a classic queue), delete it or "
                    + "use another name.", e);
        } finally {
            closeQuietly(ch);
        }
    }

    private void workLoop() {
        while (consuming) {
            Delivery delivery;
            try {
                delivery = inbox.poll(POLL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (delivery == null) {
                continue;
            }
            if (!consuming) {
                delivery.settle(() -> requeue(delivery));
                return;
            }
            try {
                handle(delivery);
            } catch (RuntimeException e) { // a bug, not bad input: return the message rather than stop consuming
                LOG.error("Handling {} failed; returning it", delivery, e);
                returnLater(delivery);
            }
        }
    }

    private void handle(Delivery delivery) {
        // AMQP has no per-message progress signal; the connection heartbeat keeps the message ours.
        BrokerMessage.handle(delivery, settings.maxDeliver(), sink, () -> consuming);
    }

    /** Holds the message for the redelivery delay, so a failing event does not spin through the queue. */
    private void returnLater(Delivery delivery) {
        try {
            timer.schedule(() -> delivery.settle(() -> requeue(delivery)),
                    settings.redeliveryDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // timer stopped: closing
            delivery.settle(() -> requeue(delivery));
        }
    }

    private void deadLetter(Delivery delivery, String reason) {
        if (delivery.isSettled()) {
            return; // already returned (shutting down)
        }
        String description = delivery + ": " + reason;
        try {
            deadLetters.accept(delivery.body, description);
        } catch (RuntimeException e) {
            LOG.error("Dead letter for {} could not be written ({}); returning it for another delivery", delivery,
                    e.toString());
            returnLater(delivery);
            return;
        }
        LOG.warn("Dead letter: {}", description);
        delivery.settle(() -> ack(delivery));
    }

    private void ack(Delivery delivery) {
        try {
            synchronized (channelLock) {
                delivery.channel.basicAck(delivery.tag, false);
            }
        } catch (IOException | RuntimeException e) {
            // The work is done and its outputs are stored; a redelivery finds them current and skips the steps.
            LOG.warn("Acknowledging {} failed; it will be delivered again: {}", delivery, e.toString());
        }
    }

    private void requeue(Delivery delivery) {
        try {
            synchronized (channelLock) {
                delivery.channel.basicNack(delivery.tag, false, true);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Returning {} failed (the broker returns it when the channel closes): {}", delivery,
                    e.toString());
        }
    }

    private static String describe(Exception e) {
        Throwable cause = e.getCause() instanceof ShutdownSignalException signal ? signal : e;
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    private static void closeQuietly(Connection conn) {
        if (conn != null && conn.isOpen()) {
            try {
                conn.close(5_000);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing the AMQP connection failed: {}", e.toString());
            }
        }
    }

    private static void closeQuietly(Channel ch) {
        if (ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                LOG.debug("Closing a channel failed: {}", e.toString());
            }
        }
    }

    /** Hands each delivery to the work thread; never blocks the connection's dispatch thread. */
    private final class Receiver extends DefaultConsumer {
        Receiver(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Delivery delivery = new Delivery(getChannel(), envelope.getDeliveryTag(), body, attempt(properties));
            unsettled.add(delivery);
            inbox.add(delivery);
        }

        @Override
        public void handleCancel(String tag) {
            consuming = false;
            LOG.error("RabbitMQ cancelled the consumer of queue {} (was the queue deleted?); this worker takes no "
                    + "more events until it is restarted", settings.queue());
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException signal) {
            if (!signal.isInitiatedByApplication()) {
                LOG.warn("AMQP channel closed by the broker or the network ({}); reconnecting", signal.getMessage());
            }
        }

        private static int attempt(AMQP.BasicProperties properties) {
            Map<String, Object> headers = properties.getHeaders();
            Object count = headers == null ? null : headers.get(DELIVERY_COUNT);
            return count instanceof Number n ? n.intValue() + 1 : 1;
        }
    }

    /** One received message until it is settled. */
    private final class Delivery implements BrokerMessage {
        final Channel channel;
        final long tag;
        final byte[] body;
        final int attempt;
        private final AtomicBoolean settled = new AtomicBoolean();

        Delivery(Channel channel, long tag, byte[] body, int attempt) {
            this.channel = channel;
            this.tag = tag;
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

        @Override
        public void finished() {
            settle(() -> ack(this));
        }

        @Override
        public void handBack() {
            settle(() -> requeue(this)); // stopping: return it now
        }

        @Override
        public void redeliverLater(String failure) {
            LOG.info("{} failed (at most {} deliveries), returning it in {}: {}", this, settings.maxDeliver(),
                    settings.redeliveryDelay(), failure);
            returnLater(this);
        }

        @Override
        public void deadLetter(String reason) {
            AmqpTrigger.this.deadLetter(this, reason);
        }

        /** Runs {@code action} (ack, return) if nothing settled this delivery before. */
        void settle(Runnable action) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            try {
                action.run();
            } finally {
                unsettled.remove(this);
            }
        }

        @Override
        public String toString() {
            return "AMQP message " + settings.queue() + "#" + tag + " (delivery " + attempt + ")";
        }
    }
}
