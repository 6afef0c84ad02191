package dev.sluice.cli;

import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.exec.Metering;
import dev.sluice.core.exec.SluiceExecutor;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.core.trigger.Trigger;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.storage.S3ObjectStore;
import dev.sluice.triggers.InProcessTrigger;
import dev.sluice.triggers.PollingTrigger;
import dev.sluice.triggers.WebhookTrigger;
import dev.sluice.triggers.minio.ListenEndpoint;
import dev.sluice.triggers.minio.MinioListenTrigger;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * A running Sluice: the store (embedded or external), the executor and the triggers that feed it, wired from a
 * config. {@code sluice serve} runs one until it is stopped; tests start one per class.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private final EmbeddedS3Server embedded;
    private final ObjectStore store;
    private final SluiceExecutor executor;
    private final List<Trigger> triggers;

    private SluiceServer(EmbeddedS3Server embedded, ObjectStore store, SluiceExecutor executor, List<Trigger> triggers) {
        this.embedded = embedded;
        this.store = store;
        this.executor = executor;
        this.triggers = triggers;
    }

    /** Starts everything the config asks for; on failure, stops what was already started. */
    public static SluiceServer start(SluiceConfig config, FunctionRegistry functions, MeterRegistry meters,
                                     String accessKey, String secretKey) throws Exception {
        return start(config, functions, meters, accessKey, secretKey, true, store -> List.of());
    }

    /**
     * As {@link #start(SluiceConfig, FunctionRegistry, MeterRegistry, String, String)}, plus the triggers that
     * {@code extraTriggers} makes once the store is up (e.g. a broker consumer that writes dead letters to it).
     */
    public static SluiceServer start(SluiceConfig config, FunctionRegistry functions, MeterRegistry meters,
                                     String accessKey, String secretKey,
                                     Function<ObjectStore, List<Trigger>> extraTriggers) throws Exception {
        return start(config, functions, meters, accessKey, secretKey, true, extraTriggers);
    }

    /**
     * The store and the executor without any trigger, for batch work such as backfill: an embedded server is
     * started on a free port (so a running {@code serve} keeps its own) and emits no events.
     */
    public static SluiceServer startForBatch(SluiceConfig config, FunctionRegistry functions, MeterRegistry meters,
                                             String accessKey, String secretKey) throws Exception {
        return start(config, functions, meters, accessKey, secretKey, false, store -> List.of());
    }

    private static SluiceServer start(SluiceConfig config, FunctionRegistry functions, MeterRegistry meters,
                                      String accessKey, String secretKey, boolean withTriggers,
                                      Function<ObjectStore, List<Trigger>> extraTriggers) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            EmbeddedS3Server embedded = null;
            InProcessTrigger uploads = null;
            ObjectStore store;
            if (config.usesEmbeddedServer()) {
                uploads = withTriggers ? new InProcessTrigger() : null;
                embedded = startEmbedded(config, accessKey, secretKey, uploads);
                started.add(embedded);
                store = S3ObjectStore.forEmbedded(embedded);
            } else {
                store = S3ObjectStore.create(config.store());
            }
            started.add(store);
            SluiceExecutor executor = new SluiceExecutor(config, functions, store, new Metering(meters));
            started.add(executor);
            executor.createSystemBuckets();

            List<Trigger> triggers = new ArrayList<>();
            if (uploads != null) {
                triggers.add(uploads);
            }
            if (withTriggers && config.webhook() != null) {
                triggers.add(new WebhookTrigger(config.webhook()));
            }
            if (withTriggers && config.poll() != null) {
                triggers.add(new PollingTrigger(store, config.poll()));
            }
            if (withTriggers && config.listen() != null) {
                triggers.add(new MinioListenTrigger(store, listenEndpoint(config.store()), config.listen()));
            }
            triggers.addAll(extraTriggers.apply(store));
            for (Trigger trigger : triggers) {
                trigger.start(executor);
                started.add(trigger);
                LOG.info("Trigger started: {}", trigger.name());
            }
            if (uploads != null) {
                reconcileInBackground(config, store, uploads);
            }
            return new SluiceServer(embedded, store, executor, triggers);
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Events of the embedded server live in memory, so uploads that arrived just before a crash would be lost.
     * At start, every object the pipelines watch is offered again; steps whose outputs are current are skipped
     * (the eTag rule), so only unfinished work runs.
     */
    private static void reconcileInBackground(SluiceConfig config, ObjectStore store, InProcessTrigger uploads) {
        Thread reconcile = new Thread(() -> {
            long offered = 0;
            try {
                for (Pipeline pipeline : config.pipelines()) {
                    if (pipeline.match().bucket() == null) {
                        continue;
                    }
                    try (var objects = store.list(pipeline.match().bucket(), pipeline.match().prefix())) {
                        for (var object : (Iterable<dev.sluice.core.store.ObjectInfo>) objects::iterator) {
                            uploads.accept(dev.sluice.core.event.ObjectEvent.created(object.bucket(), object.key(),
                                    object.size(), object.eTag(), object.contentType()));
                            offered++;
                        }
                    }
                }
                if (offered > 0) {
                    LOG.info("Start-up check offered {} existing object(s); finished ones are skipped", offered);
                }
            } catch (RuntimeException e) {
                LOG.warn("Start-up check of existing objects stopped: {}", e.getMessage());
            }
        }, "sluice-reconcile");
        reconcile.setDaemon(true);
        reconcile.start();
    }

    /**
     * MinIO's listen API on the store's endpoint, signed like the store's own requests: with the configured keys,
     * else with the AWS default credentials chain (environment, profile), asked at every reconnect.
     */
    static ListenEndpoint listenEndpoint(StoreSettings settings) {
        URI endpoint = URI.create(settings.endpoint().trim());
        if (settings.accessKey() != null && settings.secretKey() != null) {
            return ListenEndpoint.of(endpoint, settings.region(), settings.pathStyle(), settings.accessKey(),
                    settings.secretKey());
        }
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        return new ListenEndpoint(endpoint, settings.region(), settings.pathStyle(), chain::resolveCredentials);
    }

    /**
     * The embedded server of {@code config}: on its port, telling {@code uploads} of every upload, or without a
     * listener on a free port (so that a running {@code serve} keeps its own) for commands that only read or batch.
     */
    private static EmbeddedS3Server startEmbedded(SluiceConfig config, String accessKey, String secretKey,
                                                  InProcessTrigger uploads) throws Exception {
        EmbeddedS3Server.Builder builder = EmbeddedS3Server.builder()
                .settings(config.embedded())
                .buckets(bucketsToCreate(config))
                .credentials(accessKey, secretKey);
        if (uploads != null) {
            builder.listener(uploads);
        } else {
            builder.port(0);
        }
        EmbeddedS3Server embedded = builder.build();
        embedded.start();
        return embedded;
    }

    /** A store opened on its own, with the embedded server that serves it, if any. */
    record OpenStore(ObjectStore store, EmbeddedS3Server embedded) implements AutoCloseable {
        @Override
        public void close() {
            try {
                store.close();
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
    }

    /** Only the store of {@code config}, for commands that read it ({@code usage}). */
    static OpenStore openStore(SluiceConfig config, String accessKey, String secretKey) throws Exception {
        if (!config.usesEmbeddedServer()) {
            return new OpenStore(S3ObjectStore.create(config.store()), null);
        }
        EmbeddedS3Server embedded = startEmbedded(config, accessKey, secretKey, null);
        try {
            return new OpenStore(S3ObjectStore.forEmbedded(embedded), embedded);
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    /** Buckets the embedded server needs so that the demo works on first start. */
    static Set<String> bucketsToCreate(SluiceConfig config) {
        Set<String> buckets = new LinkedHashSet<>(config.embedded().buckets());
        for (Pipeline pipeline : config.pipelines()) {
            if (pipeline.match().bucket() != null) {
                buckets.add(pipeline.match().bucket());
            }
            pipeline.steps().forEach(step -> addOutputBuckets(step, buckets));
        }
        buckets.add(config.deadLetterBucket());
        buckets.add(config.stateBucket());
        return buckets;
    }

    private static void addOutputBuckets(Step step, Set<String> buckets) {
        buckets.add(step.output().bucket());
        step.then().forEach(next -> addOutputBuckets(next, buckets));
    }

    /** The embedded S3 server's endpoint, or {@code null} when an external store is used. */
    public URI s3Endpoint() {
        return embedded == null ? null : embedded.endpoint();
    }

    public ObjectStore store() {
        return store;
    }

    public SluiceExecutor executor() {
        return executor;
    }

    public List<Trigger> triggers() {
        return triggers;
    }

    /** Stops taking events, finishes what is in flight (up to a grace period), then stops the store. */
    @Override
    public void close() {
        for (Trigger trigger : triggers) {
            try {
                trigger.close();
            } catch (RuntimeException e) {
                LOG.warn("Stopping trigger {}: {}", trigger.name(), e.getMessage());
            }
        }
        try {
            if (!executor.drain(SHUTDOWN_GRACE)) {
                LOG.warn("Stopped with {} event(s) unfinished; they will be processed again on redelivery",
                        executor.inFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.close();
        store.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
