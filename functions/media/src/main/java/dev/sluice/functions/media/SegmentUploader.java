package dev.sluice.functions.media;

import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.Outputs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stores the segments of one HLS rendition while the encoder is still working. FFmpeg's HLS muxer (with
 * {@code hls_flags temp_file}) gives a segment its final name {@code sNNNNN.ts} (or {@code .m4s}) only once the
 * segment is complete,
 * so every such file in the rendition's folder can be stored and deleted at once: segments reach the bucket as
 * they are produced, and the work folder holds a segment or two instead of the whole package.
 *
 * <p>{@link #sweep()} is called from a background thread while encoding and once more at the end; it is
 * synchronized, so a segment is stored exactly once.
 */
final class SegmentUploader {
    private static final Pattern SEGMENT = Pattern.compile("s(\\d{5})\\.(ts|m4s)");

    private final Path dir;
    private final String extension;
    private final Outputs outputs;
    private final IntFunction<OutputSpec> specs;
    private final Map<Integer, Long> storedBytes = new ConcurrentHashMap<>();

    /**
     * @param dir       the rendition's folder, where the muxer writes {@code sNNNNN.EXTENSION}
     * @param extension {@code ts} or {@code m4s}
     * @param specs     the output spec of segment number N (numbers start at 1)
     */
    SegmentUploader(Path dir, String extension, Outputs outputs, IntFunction<OutputSpec> specs) {
        this.dir = dir;
        this.extension = extension;
        this.outputs = outputs;
        this.specs = specs;
    }

    /** Stores every complete segment not stored yet, in order, deleting each local file after it is stored. */
    synchronized void sweep() throws IOException {
        Map<Integer, Path> complete = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "s*." + extension)) {
            for (Path file : files) {
                Matcher m = SEGMENT.matcher(file.getFileName().toString());
                if (m.matches()) {
                    complete.put(Integer.parseInt(m.group(1)), file);
                }
            }
        }
        for (Map.Entry<Integer, Path> segment : complete.entrySet()) {
            if (storedBytes.containsKey(segment.getKey())) {
                continue;
            }
            long bytes = Files.size(segment.getValue());
            outputs.write(specs.apply(segment.getKey()), segment.getValue());
            storedBytes.put(segment.getKey(), bytes);
            Files.deleteIfExists(segment.getValue());
        }
    }

    /** Whether segment {@code number} has been stored. */
    boolean stored(int number) {
        return storedBytes.containsKey(number);
    }

    /** Size of stored segment {@code number}, in bytes. */
    long bytes(int number) {
        Long bytes = storedBytes.get(number);
        if (bytes == null) {
            throw new IllegalStateException("Segment " + number + " of " + dir + " was not stored");
        }
        return bytes;
    }

    /** The number of the segment file {@code name} (e.g. {@code s00007.ts} or {@code s00007.m4s} is 7), or -1. */
    static int number(String name) {
        Matcher m = SEGMENT.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Sweeps a set of renditions on a background thread every quarter second while the encoder works. */
    static final class Streaming implements AutoCloseable {
        private static final long INTERVAL_MILLIS = 250;
        private final List<SegmentUploader> uploaders;
        private final Thread thread;
        private volatile boolean stopping;
        private volatile IOException failure;

        private Streaming(List<SegmentUploader> uploaders) {
            this.uploaders = List.copyOf(uploaders);
            this.thread = new Thread(this::run, "sluice-hls-upload");
            thread.setDaemon(true);
        }

        static Streaming start(List<SegmentUploader> uploaders) {
            Streaming streaming = new Streaming(uploaders);
            streaming.thread.start();
            return streaming;
        }

        private void run() {
            try {
                while (!stopping) {
                    for (SegmentUploader uploader : uploaders) {
                        uploader.sweep();
                    }
                    Thread.sleep(INTERVAL_MILLIS);
                }
            } catch (IOException e) {
                failure = e; // reported by finish(); the remaining segments are stored there
            } catch (InterruptedException e) {
                // stopping after a failure
            }
        }

        /** After encoding: stops the background thread and stores what is left, on the caller's thread. */
        void finish() throws IOException {
            stopping = true;
            awaitThread();
            if (failure != null) {
                throw failure;
            }
            for (SegmentUploader uploader : uploaders) {
                uploader.sweep();
            }
        }

        /**
         * Stops the background thread and waits for a store in progress to end, so that nothing is stored after the
         * invocation failed and its outputs are removed.
         */
        @Override
        public void close() {
            if (thread.isAlive()) {
                stopping = true;
                thread.interrupt();
                awaitThread();
            }
        }

        private void awaitThread() {
            boolean interrupted = false;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (thread.isAlive() && System.nanoTime() < deadline) {
                try {
                    thread.join(1000);
                } catch (InterruptedException e) {
                    interrupted = true; // the invocation was cancelled: still wait, then pass the interrupt on
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
