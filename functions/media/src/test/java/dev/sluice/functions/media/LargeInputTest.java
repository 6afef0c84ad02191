package dev.sluice.functions.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 GB input is streamed, never held: probe, poster and transcode of a 2.2 GB uncompressed video run in a
 * child JVM whose heap is capped at 64 MB (an input read into the heap would fail with OutOfMemoryError), and
 * the child reports its peak heap use.
 */
class LargeInputTest {
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 720;
    private static final int FPS = 30;
    private static final int FRAMES = 1600; // 1.38 MB a frame: 2.2 GB (over 2 GiB), 53 s
    private static final String HEAP = "64m";

    @TempDir
    Path work;

    @Test
    void aTwoGigabyteInputIsProcessedWithA64MegabyteHeap() throws Exception {
        Path input = work.resolve("big.y4m");
        writeY4m(input);
        assertThat(Files.size(input)).isGreaterThan(2L << 30);
        Path out = Files.createDirectories(work.resolve("out"));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + HEAP, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), input.toString(), out.toString()));
        Path log = work.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = child.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(finished).as("child finished:\n%s", output).isTrue();
        assertThat(child.exitValue()).as("child exit status; its output:\n%s", output).isZero();
        System.out.println(output.lines().filter(l -> l.startsWith("peak heap")).findFirst().orElse(""));

        double seconds = (double) FRAMES / FPS;
        var probe = MediaProbeFunction.Json.MAPPER.readTree(only(out.resolve("probe"), ".json").toFile());
        assertThat(probe.get("durationSeconds").asDouble()).isCloseTo(seconds, within(0.5));
        MediaInfo transcoded = MediaFixtures.probe(only(out.resolve("transcode"), ".mp4"));
        assertThat(transcoded.durationSeconds()).isCloseTo(seconds, within(0.5));
        assertThat(MediaFixtures.video(transcoded).height()).isEqualTo(240);
        assertThat(Files.size(only(out.resolve("poster"), "-poster.jpg"))).isPositive();
    }

    private static Path only(Path dir, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
            assertThat(found).as("outputs in %s", dir).hasSize(1);
            return found.get(0);
        }
    }

    /** An uncompressed YUV4MPEG2 stream with a bar that moves, so that frames differ. */
    private static void writeY4m(Path file) throws IOException {
        int luma = WIDTH * HEIGHT;
        byte[] frame = new byte[luma * 3 / 2];
        Arrays.fill(frame, 0, luma, (byte) 40);
        Arrays.fill(frame, luma, frame.length, (byte) 128);
        byte[] frameHeader = "FRAME\n".getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(String.format("YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg%n", WIDTH, HEIGHT, FPS)
                    .getBytes(StandardCharsets.US_ASCII));
            int bar = 32;
            for (int i = 0; i < FRAMES; i++) {
                int x = (i * 8) % (WIDTH - bar);
                for (int y = 0; y < HEIGHT; y++) {
                    Arrays.fill(frame, y * WIDTH, y * WIDTH + WIDTH, (byte) 40);
                    Arrays.fill(frame, y * WIDTH + x, y * WIDTH + x + bar, (byte) 220);
                }
                out.write(frameHeader);
                out.write(frame);
            }
        }
    }

    /** Runs in the child JVM: the three functions on the big input, each into its own folder. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path input = Path.of(args[0]);
            Path out = Path.of(args[1]);
            run(new MediaProbeFunction(), input, out.resolve("probe"), Map.of());
            run(new VideoPosterFunction(), input, out.resolve("poster"), Map.of());
            run(new TranscodeFunction(), input, out.resolve("transcode"),
                    Map.of("renditions", "240", "preset", "ultrafast"));
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("peak heap %d MB of %d MB%n", peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
            System.exit(0);
        }

        private static void run(SluiceFunction function, Path input, Path out, Map<String, String> params)
                throws Exception {
            Files.createDirectories(out);
            LocalInvoker.Result result = LocalInvoker.invoke(function, Parameters.of(function, params), List.of(input),
                    out, 1, Duration.ofMinutes(8), r -> { }).get(0);
            if (!result.succeeded()) {
                System.out.println(function.name() + " failed: " + result.error());
                System.exit(1);
            }
            System.out.println(function.name() + ": " + result.outputs() + " in " + result.duration());
        }
    }
}
