package dev.sluice.core.exec;

import dev.sluice.core.config.ConfigValidator;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.pipeline.Condition;
import dev.sluice.core.pipeline.FunctionSettings;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import dev.sluice.core.trigger.Acknowledgement;
import dev.sluice.core.trigger.EventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps that events lead to. For each event: look the object up (current eTag, content type, origin
 * metadata), route it, and run every matching step in its function's {@link Lane}. A step whose outputs are
 * current is skipped; a transient failure is retried with exponential backoff; a permanent one becomes a
 * dead letter. The event is acknowledged once every step settled.
 */
public final class SluiceExecutor implements EventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceExecutor.class);
    private static final Runnable NO_HEARTBEAT = () -> { };
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final long MAX_CONDITION_JSON_BYTES = 16L << 20;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final SluiceConfig config;
    private final FunctionRegistry functions;
    private final ObjectStore store;
    private final Router router;
    private final DeadLetters deadLetters;
    private final StepManifests manifests;
    private final RunRecords runs;
    private final Metering metering;
    private final FunctionRunner runner = new FunctionRunner();
    /** For functions with {@code isolation: process}; starts no child until one runs. */
    private final ChildProcesses childJvms = new ChildProcesses();
    /** By run id: tells the event's source (a broker) that work on it is still going. */
    private final Map<String, Runnable> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, Parameters> parametersByStep = new HashMap<>();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-retry");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    public SluiceExecutor(SluiceConfig config, FunctionRegistry functions, ObjectStore store, Metering metering) {
        ConfigValidator.validate(config, functions);
        this.config = config;
        this.functions = functions;
        this.store = store;
        this.router = new Router(config.pipelines(), config.maxDepth());
        this.deadLetters = new DeadLetters(store, config.deadLetterBucket());
        this.manifests = new StepManifests(store, config.stateBucket());
        this.runs = new RunRecords(store, config.stateBucket());
        this.metering = metering;
        Set<String> used = new TreeSet<>();
        for (Pipeline pipeline : config.pipelines()) {
            pipeline.steps().forEach(step -> collectParameters(pipeline, step, used));
        }
        // each function's one-time set-up runs on its own lane, so that its first event finds it done; an isolated
        // function sets up in its child JVMs instead (its native libraries stay out of this process)
        used.stream().filter(name -> config.settingsFor(name).isolation() != FunctionSettings.Isolation.PROCESS)
                .forEach(name -> lane(name).execute(() -> functions.prepare(name)));
        for (String name : used) {
            FunctionSettings settings = config.settingsFor(name);
            if (settings.isolation() == FunctionSettings.Isolation.PROCESS && settings.warm() > 0) {
                childJvms.keepWarm(functions.get(name), settings.heap(), settings.warm());
            }
        }
    }

    /** Creates the buckets the executor itself writes to. */
    public void createSystemBuckets() {
        store.createBucketIfMissing(config.deadLetterBucket());
        store.createBucketIfMissing(config.stateBucket());
    }

    @Override
    public void accept(ObjectEvent event, Acknowledgement ack) throws InterruptedException {
        submit(event, ack::inProgress).whenComplete((results, error) -> {
            if (error != null) {
                LOG.warn("Event for {} will be delivered again: {}", event.location(), Failures.describe(error));
                ack.nack(Failures.describe(error));
            } else if (results.stream().allMatch(r -> r.flatten().allMatch(s -> s.outcome().settled()))) {
                ack.ack();
            } else {
                ack.nack("a step failed and its dead letter could not be written");
            }
        });
    }

    /**
     * Processes one event. Blocks while the lanes it needs are full (back-pressure); the future completes when
     * every step, including chained ones, has settled.
     */
    public CompletableFuture<List<StepResult>> submit(ObjectEvent event) throws InterruptedException {
        return submit(event, null);
    }

    /** As {@link #submit(ObjectEvent)}; {@code heartbeat} (may be null) runs while a step reports progress. */
    private CompletableFuture<List<StepResult>> submit(ObjectEvent event, Runnable heartbeat)
            throws InterruptedException {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Sluice is shutting down"));
        }
        if (!router.mayMatch(event)) {
            return CompletableFuture.completedFuture(List.of()); // e.g. our own outputs and dead letters
        }
        ObjectEvent current = event;
        if (event.eventType() == EventType.CREATED) {
            Optional<ObjectInfo> info;
            try {
                info = store.head(event.bucket(), event.key());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (info.isEmpty()) {
                LOG.info("Ignoring event for {}: the object no longer exists", event.location());
                return CompletableFuture.completedFuture(List.of());
            }
            ObjectInfo head = info.get();
            current = event.withObjectInfo(head.size(), head.eTag(), head.contentType(), head.userMetadata());
        }
        String runId = RunRecords.newRunId();
        List<Task> tasks = router.route(current).stream().map(t -> t.withRunId(runId)).toList();
        if (tasks.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        inFlight.incrementAndGet();
        if (heartbeat != null) {
            heartbeats.put(runId, heartbeat);
        }
        ObjectEvent runEvent = current;
        long runStarted = System.currentTimeMillis();
        List<CompletableFuture<StepResult>> futures = new ArrayList<>();
        try {
            for (Task task : tasks) {
                Lane lane = lane(task.step().function());
                lane.admit();
                futures.add(run(task, lane, true));
            }
        } finally {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .whenComplete((ignored, error) -> {
                        heartbeats.remove(runId);
                        inFlight.decrementAndGet();
                    });
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    List<StepResult> results = futures.stream().map(CompletableFuture::join).toList();
                    runs.write(runId, runEvent, runStarted, results);
                    return results;
                });
    }

    /**
     * Runs an earlier run's event again. Steps whose outputs are current are skipped (the eTag rule), so only
     * what failed, and what depends on it, runs.
     */
    public CompletableFuture<List<StepResult>> retry(String runId) throws InterruptedException {
        return submit(runs.event(runId));
    }

    public RunRecords runs() {
        return runs;
    }

    /** Number of events whose steps have not all settled yet. */
    public int inFlight() {
        return inFlight.get();
    }

    public Metering metering() {
        return metering;
    }

    /** Stops taking events and waits up to {@code grace} for those in flight. */
    public boolean drain(Duration grace) throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return inFlight.get() == 0;
    }

    @Override
    public void close() {
        try {
            drain(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lanes.values().forEach(Lane::close);
        retries.shutdownNow();
        runner.close();
        childJvms.close();
    }

    private CompletableFuture<StepResult> run(Task task, Lane lane, boolean holdsPermit) {
        CompletableFuture<StepResult> result = new CompletableFuture<>();
        lane.execute(() -> attempt(task, lane, 1, holdsPermit, result));
        // Chained steps follow a skipped step too: their own outputs may be missing (a retried run, a crash).
        return result.thenCompose(step -> (step.outcome() == Outcome.SUCCEEDED || step.outcome() == Outcome.SKIPPED)
                && !task.step().then().isEmpty() ? runChained(task, step) : CompletableFuture.completedFuture(step));
    }

    /** Feeds every output of a finished step to each of its {@code then} steps. */
    private CompletableFuture<StepResult> runChained(Task parent, StepResult done) {
        List<CompletableFuture<StepResult>> children = new ArrayList<>();
        int depth = parent.depth() + 1;
        for (ObjectInfo output : done.outputs()) {
            ObjectEvent event = ObjectEvent.created(output.bucket(), output.key(), output.size(), output.eTag(),
                    output.contentType()).withObjectInfo(output.size(), output.eTag(), output.contentType(),
                    output.userMetadata());
            for (Step next : parent.step().then()) {
                if (depth >= config.maxDepth()) {
                    LOG.warn("Not running {} on {}: chain depth {} reached maxDepth", next.id(), output.location(), depth);
                    continue;
                }
                Task child = new Task(parent.pipeline(), next, event, depth, parent.runId());
                children.add(run(child, lane(next.function()), false));
            }
        }
        return CompletableFuture.allOf(children.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new StepResult(done.stepId(), done.function(), done.inputLocation(),
                        done.outcome(), done.attempts(), done.duration(), done.outputs(), done.error(),
                        children.stream().map(CompletableFuture::join).toList()));
    }

    private void attempt(Task task, Lane lane, int attempt, boolean holdsPermit, CompletableFuture<StepResult> result) {
        String function = task.step().function();
        SluiceFunction fn = functions.get(function);
        FunctionSettings settings = config.settingsFor(function);
        Parameters parameters = parametersByStep.get(task.stepId());
        boolean cold = lane.markActive();
        long start = System.nanoTime();
        try {
            if (attempt == 1 && !conditionHolds(task)) {
                LOG.debug("Not running {}: its 'when' condition does not hold", task);
                finish(task, lane, holdsPermit, result, Outcome.CONDITION_FALSE, attempt, start, cold, List.of(), null);
                return;
            }
            Optional<List<ObjectInfo>> current = attempt == 1 ? manifests.currentOutputs(task) : Optional.empty();
            if (current.isPresent()) {
                LOG.debug("Skipping {}: outputs are current for eTag {}", task, task.input().eTag());
                finish(task, lane, holdsPermit, result, Outcome.SKIPPED, attempt, start, cold, current.get(), null);
                return;
            }
            StoreOutputs outputs = new StoreOutputs(store, task.step().output(), task.input(), task.stepId(),
                    task.depth());
            try (StoreInput input = new StoreInput(store, task.input());
                 InvocationProgress progress = metering.progress(function, task.stepId(), task.input().location(),
                         heartbeats.getOrDefault(task.runId(), NO_HEARTBEAT))) {
                if (settings.isolation() == FunctionSettings.Isolation.PROCESS) {
                    // cold means a child JVM had to start; the lane's own idea (idle threads) does not apply
                    cold = childJvms.run(fn, settings.heap(), input, parameters, outputs, settings.timeout(),
                            progress);
                } else {
                    runner.run(fn, input, parameters, outputs, settings.timeout(), progress);
                }
                manifests.record(task, outputs.committed());
            } catch (Exception | Error e) {
                outputs.rollback();
                throw e;
            }
            LOG.info("{} wrote {} output(s) in {} ms", task, outputs.committed().size(),
                    (System.nanoTime() - start) / 1_000_000);
            finish(task, lane, holdsPermit, result, Outcome.SUCCEEDED, attempt, start, cold, outputs.committed(), null);
        } catch (Throwable error) {
            if (error instanceof VirtualMachineError vm && !(error instanceof OutOfMemoryError)) {
                throw vm;
            }
            if (Failures.isTransient(error) && attempt <= settings.retries() && !closed) {
                long delay = backoff(settings.backoff(), attempt);
                LOG.warn("{} failed (attempt {}), retrying in {} ms: {}", task, attempt, delay, Failures.describe(error));
                metering.retry(function);
                retries.schedule(() -> lane.execute(() -> attempt(task, lane, attempt + 1, holdsPermit, result)),
                        delay, TimeUnit.MILLISECONDS);
                return;
            }
            deadLetter(task, lane, holdsPermit, result, parameters, attempt, start, cold, error);
        }
    }

    private boolean conditionHolds(Task task) {
        Condition when = task.step().when();
        return when == null || when.test(task.input(), () -> readJson(task.input()));
    }

    /** The input as JSON, for conditions on a previous step's result; not JSON reads as an empty document. */
    private JsonNode readJson(ObjectEvent input) {
        if (input.size() > MAX_CONDITION_JSON_BYTES) {
            throw new dev.sluice.core.BadInputException("A 'when: json' condition needs the input as JSON, but "
                    + input.location() + " is larger than " + MAX_CONDITION_JSON_BYTES + " bytes.");
        }
        try (java.io.InputStream in = store.get(input.bucket(), input.key())) {
            JsonNode node = JSON.readTree(in);
            return node == null ? JSON.missingNode() : node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return JSON.missingNode();
        } catch (java.io.IOException e) {
            throw new dev.sluice.core.TransientException("Reading " + input.location() + " for a condition failed", e);
        }
    }

    private void deadLetter(Task task, Lane lane, boolean holdsPermit, CompletableFuture<StepResult> result,
                            Parameters parameters, int attempt, long start, boolean cold, Throwable error) {
        String description = Failures.describe(error);
        try {
            ObjectInfo record = deadLetters.write(task, parameters.asMap(), attempt, error);
            LOG.warn("{} failed after {} attempt(s): {} (dead letter {})", task, attempt, description,
                    record.location());
            finish(task, lane, holdsPermit, result, Outcome.DEAD_LETTERED, attempt, start, cold, List.of(), description);
        } catch (RuntimeException e) {
            LOG.error("{} failed ({}) and its dead letter could not be written: {}", task, description,
                    Failures.describe(e));
            finish(task, lane, holdsPermit, result, Outcome.FAILED, attempt, start, cold, List.of(), description);
        }
    }

    private void finish(Task task, Lane lane, boolean holdsPermit, CompletableFuture<StepResult> result,
                        Outcome outcome, int attempts, long start, boolean cold, List<ObjectInfo> outputs,
                        String error) {
        Duration duration = Duration.ofNanos(System.nanoTime() - start);
        metering.invocation(task.step().function(), outcome, duration, cold);
        if (holdsPermit) {
            lane.release();
        }
        result.complete(new StepResult(task.stepId(), task.step().function(), task.input().location(), outcome,
                attempts, duration, outputs, error, List.of()));
    }

    private static long backoff(Duration base, int attempt) {
        long millis = base.toMillis() * (1L << Math.min(attempt - 1, 20));
        millis = Math.min(millis, MAX_BACKOFF.toMillis());
        return millis + ThreadLocalRandom.current().nextLong(Math.max(1, millis / 5)); // jitter spreads retries
    }

    private Lane lane(String function) {
        return lanes.computeIfAbsent(function, f -> new Lane(f, config.settingsFor(f)));
    }

    private void collectParameters(Pipeline pipeline, Step step, Set<String> usedFunctions) {
        SluiceFunction function = functions.get(step.function());
        usedFunctions.add(function.name());
        parametersByStep.put(SluiceMetadata.stepId(pipeline.name(), step.id()),
                ConfigValidator.parametersFor(config, function, step));
        step.then().forEach(next -> collectParameters(pipeline, next, usedFunctions));
    }
}
