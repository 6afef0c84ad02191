import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.storage.S3ObjectStore;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scale-out benchmark of {@code sluice worker} behind NATS JetStream (run by bench/scale/run.sh).
 *
 * <p>An embedded S3 server stands in for MinIO: every upload to {@code bench-in} is published to a JetStream
 * subject as an S3 event notification (what MinIO's NATS target does), and every object written to
 * {@code bench-out} is noted when it lands. Workers are separate JVMs running {@code sluice worker}. For each
 * function (a no-op copy of 1 KiB, and {@code thumbnail} of a camera JPEG) and for one and two workers it
 * measures throughput (a burst of uploads, events per second from first upload to last output) and the
 * latency from upload to output at half that rate (p50, p99). Finally it measures the footprint (RSS,
 * threads) of a worker that has done some work and then had no events for a minute.
 */
public final class ScaleBench {
    static final String IN = "bench-in";
    static final String OUT = "bench-out";
    static final Pattern INDEX = Pattern.compile("/(\\d+)[-.]");

    final String natsUrl;
    final String workerClasspath;
    final List<String> javaOptions;
    final Path work;
    final byte[] jpeg;
    final Map<String, Long> uploaded = new ConcurrentHashMap<>();
    final Map<String, Long> produced = new ConcurrentHashMap<>();
    final HttpClient http = HttpClient.newHttpClient();
    volatile String subject;
    EmbeddedS3Server s3;
    S3ObjectStore store;
    Connection nats;
    JetStream jetStream;

    ScaleBench(String natsUrl, String workerClasspath, List<String> javaOptions, Path work, byte[] jpeg) {
        this.natsUrl = natsUrl;
        this.workerClasspath = workerClasspath;
        this.javaOptions = javaOptions;
        this.work = work;
        this.jpeg = jpeg;
    }

    public static void main(String[] args) throws Exception {
        String natsUrl = System.getenv().getOrDefault("BENCH_NATS_URL", "nats://127.0.0.1:4222");
        String cp = System.getProperty("java.class.path");
        List<String> javaOptions = Arrays.stream(System.getenv().getOrDefault("BENCH_WORKER_JAVA_OPTS",
                "-XX:+UseParallelGC").split("\\s+")).filter(s -> !s.isBlank()).toList();
        Path work = Files.createDirectories(Path.of(args[0]));
        byte[] jpeg = Files.readAllBytes(Path.of(args[1]));
        int idleSeconds = Integer.parseInt(System.getenv().getOrDefault("BENCH_IDLE_SECONDS", "60"));
        double scale = Double.parseDouble(System.getenv().getOrDefault("BENCH_SCALE", "1"));
        ScaleBench bench = new ScaleBench(natsUrl, cp, javaOptions, work, jpeg);
        bench.start();
        try {
            System.out.printf("%-10s %7s %9s %9s %10s %10s%n", "function", "workers", "events", "events/s",
                    "p50 ms", "p99 ms");
            for (String function : List.of("noop", "thumbnail")) {
                for (int workers : List.of(1, 2)) {
                    int burst = (int) (scale * (function.equals("noop") ? 3000 : 240));
                    int paced = (int) (scale * (function.equals("noop") ? 600 : 60));
                    bench.scenario(function, workers, burst, paced);
                }
            }
            bench.idleFootprint(idleSeconds);
        } finally {
            bench.stop();
        }
    }

    void start() throws Exception {
        s3 = EmbeddedS3Server.builder().dataDir(work.resolve("s3")).port(0).credentials("bench", "bench-secret")
                .buckets(List.of(IN, OUT, "sluice-dead-letters", "sluice-state"))
                .listener(this::onStoreEvent).build().start();
        store = S3ObjectStore.forEmbedded(s3);
        nats = Nats.connect(natsUrl);
        jetStream = nats.jetStream();
    }

    void stop() throws Exception {
        store.close();
        s3.close();
        nats.close();
    }

    /** The store's side: uploads are announced on the broker (as MinIO would), outputs are timed. */
    void onStoreEvent(ObjectEvent event) {
        long now = System.nanoTime();
        if (event.eventType() != EventType.CREATED) {
            return;
        }
        if (event.bucket().equals(IN)) {
            uploaded.put(event.key().substring(0, event.key().lastIndexOf('.')), now);
            try {
                jetStream.publish(subject, notification(event));
            } catch (IOException | JetStreamApiException e) {
                System.err.println("publish failed: " + e);
            }
        } else if (event.bucket().equals(OUT)) {
            Matcher m = INDEX.matcher(event.key());
            if (m.find()) {
                produced.putIfAbsent(event.key().substring(0, event.key().indexOf('/')) + "/" + m.group(1), now);
            }
        }
    }

    static byte[] notification(ObjectEvent event) {
        String key = URLEncoder.encode(event.key(), StandardCharsets.UTF_8);
        return ("{\"EventName\":\"s3:ObjectCreated:Put\",\"Key\":\"" + event.bucket() + "/" + event.key()
                + "\",\"Records\":[{\"eventVersion\":\"2.0\",\"eventSource\":\"minio:s3\",\"eventTime\":\""
                + Instant.now() + "\",\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\""
                + event.bucket() + "\"},\"object\":{\"key\":\"" + key + "\",\"size\":" + event.size()
                + ",\"eTag\":\"" + (event.eTag() == null ? "" : event.eTag()) + "\"}}}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    void scenario(String function, int workerCount, int burst, int paced) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String stream = "BENCH_" + id;
        subject = "bench." + id;
        Path config = writeConfig(id);
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < workerCount; i++) {
            workers.add(startWorker(config, stream));
        }
        try {
            for (Worker worker : workers) {
                worker.awaitReady();
            }
            String prefix = function + "-" + id;
            upload(prefix + "-warm", function, function.equals("noop") ? 200 : 16, 0);
            long start = System.nanoTime();
            List<String> keys = upload(prefix + "-burst", function, burst, 0);
            long end = awaitOutputs(keys, Duration.ofMinutes(10));
            double eventsPerSecond = burst / ((end - start) / 1e9);
            List<String> pacedKeys = upload(prefix + "-paced", function, paced, eventsPerSecond / 2);
            awaitOutputs(pacedKeys, Duration.ofMinutes(10));
            long[] latencies = pacedKeys.stream().mapToLong(k -> produced.get(k) - uploaded.get(k))
                    .sorted().toArray();
            System.out.printf("%-10s %7d %9d %9.1f %10.1f %10.1f%n", function, workerCount, burst, eventsPerSecond,
                    percentile(latencies, 50) / 1e6, percentile(latencies, 99) / 1e6);
        } finally {
            for (Worker worker : workers) {
                worker.stop();
            }
            deleteStream(stream);
        }
    }

    void idleFootprint(int idleSeconds) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String stream = "BENCH_" + id;
        subject = "bench." + id;
        Worker worker = startWorker(writeConfig(id), stream);
        try {
            worker.awaitReady();
            Thread.sleep(2_000);
            String atStart = worker.footprint();
            awaitOutputs(upload("noop-" + id + "-idle", "noop", 200, 0), Duration.ofMinutes(5));
            awaitOutputs(upload("thumbnail-" + id + "-idle", "thumbnail", 16, 0), Duration.ofMinutes(5));
            String afterWork = worker.footprint();
            Thread.sleep(idleSeconds * 1000L);
            System.out.printf("%nworker footprint: ready %s; right after work %s; after %d s without events %s%n",
                    atStart, afterWork, idleSeconds, worker.footprint());
        } finally {
            worker.stop();
            deleteStream(stream);
        }
    }

    /** Uploads {@code count} inputs named {@code prefix/i.ext}; at {@code rate} per second, or at once if 0. */
    List<String> upload(String prefix, String function, int count, double rate) throws Exception {
        Random random = new Random(prefix.hashCode());
        byte[] noop = new byte[1024];
        random.nextBytes(noop);
        List<String> keys = new ArrayList<>();
        ExecutorService uploaders = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String key = prefix + "/" + i + (function.equals("noop") ? ".bin" : ".jpg");
            keys.add(prefix + "/" + i);
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            uploaders.execute(() -> store.put(IN, key, function.equals("noop") ? noop : jpeg,
                    function.equals("noop") ? "application/octet-stream" : "image/jpeg", Map.of()));
        }
        uploaders.shutdown();
        uploaders.awaitTermination(10, TimeUnit.MINUTES);
        return keys;
    }

    /** Waits until each input (as {@code prefix/i}) has an output; returns when the last one landed. */
    long awaitOutputs(List<String> keys, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!keys.stream().allMatch(produced::containsKey)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException((keys.size() - keys.stream().filter(produced::containsKey).count())
                        + " of " + keys.size() + " outputs missing after " + timeout);
            }
            Thread.sleep(5);
        }
        return keys.stream().mapToLong(produced::get).max().orElse(System.nanoTime());
    }

    static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    Path writeConfig(String id) throws IOException {
        String yaml = """
                store: { endpoint: "%s", accessKey: bench, secretKey: bench-secret, pathStyle: true }
                functions:
                  test-copy: { concurrency: 8, queue: 64 }
                  thumbnail: { concurrency: 2, queue: 64 }
                pipelines:
                  - name: noop
                    match: { bucket: %s, prefix: noop- }
                    steps:
                      - function: test-copy
                        output: s3://%s/{dir}/{name}{suffix}.{ext}
                  - name: thumbnail
                    match: { bucket: %s, prefix: thumbnail- }
                    steps:
                      - function: thumbnail
                        params: { width: "256" }
                        output: s3://%s/{dir}/{name}-{width}.{ext}
                """.formatted(s3.endpoint(), IN, OUT, IN, OUT);
        return Files.writeString(work.resolve("scale-" + id + ".yaml"), yaml);
    }

    Worker startWorker(Path config, String stream) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", workerClasspath, "dev.sluice.cli.Main", "worker", "--config",
                config.toString(), "--broker", "nats", "--url", natsUrl, "--stream", stream, "--subject", subject,
                "--consumer", "workers", "--prefetch", "32", "--metrics-host", "127.0.0.1", "--metrics-port",
                String.valueOf(port)));
        Path log = work.resolve("worker-" + stream + "-" + port + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        return new Worker(process, port, log);
    }

    void deleteStream(String stream) {
        try {
            nats.jetStreamManagement().deleteStream(stream);
        } catch (IOException | JetStreamApiException e) {
            // gone already
        }
    }

    final class Worker {
        final Process process;
        final int port;
        final Path log;

        Worker(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("worker exited; see " + log);
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("worker not ready after 120 s; see " + log);
        }

        /** RSS and thread count from /proc. */
        String footprint() throws IOException {
            String status = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "status"));
            long rssKb = field(status, "VmRSS");
            long threads = field(status, "Threads");
            return String.format("RSS %d MiB, %d threads", rssKb / 1024, threads);
        }

        private long field(String status, String name) {
            Matcher m = Pattern.compile("(?m)^" + name + ":\\s+(\\d+)").matcher(status);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
