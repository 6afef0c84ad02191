package dev.sluice.core.exec;

import dev.sluice.core.BadInputException;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.Outputs;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Outputs that are spooled to a temp file and committed when their stream closes, remembering what was
 * committed so that a failed invocation can remove it again. Subclasses say where a spooled file goes.
 *
 * @param <T> what a committed output is (an object in the store, a local file)
 */
abstract class RecordingOutputs<T> implements Outputs {
    private final List<T> committed = new ArrayList<>();
    private final Set<String> destinations = new HashSet<>();
    private final Set<Pending> pending = new HashSet<>();

    /** Where {@code spec} goes, checked to be safe; used to refuse two outputs to one place. */
    protected abstract String destination(OutputSpec spec);

    /** Moves a finished spool file to its destination. */
    protected abstract T commit(OutputSpec spec, String destination, Path spool) throws IOException;

    /** A new, empty file to write an output into before it is committed; by default in the temp folder. */
    protected Path spool(OutputSpec spec, String destination) throws IOException {
        return TempFiles.create("sluice-out-", "." + spec.extension().replaceAll("[^A-Za-z0-9]", ""));
    }

    /** Removes a committed output again (after the invocation failed). */
    protected abstract void remove(T output);

    @Override
    public OutputStream open(OutputSpec spec) throws IOException {
        String destination = destination(spec);
        synchronized (this) {
            if (!destinations.add(destination)) {
                throw new BadInputException("Two outputs of one invocation would both be written to '" + destination
                        + "'; add a variable such as {width} or {page} to the output template.");
            }
        }
        Path spool = spool(spec, destination);
        Pending output = new Pending(Files.newOutputStream(spool), spec, destination, spool);
        synchronized (this) {
            pending.add(output);
        }
        return output;
    }

    /** An output being written: committed when closed, or discarded by {@link #rollback()} if never closed. */
    private final class Pending extends FilterOutputStream {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final OutputSpec spec;
        private final String destination;
        private final Path spool;

        Pending(OutputStream out, OutputSpec spec, String destination, Path spool) {
            super(out);
            this.spec = spec;
            this.destination = destination;
            this.spool = spool;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            synchronized (RecordingOutputs.this) {
                pending.remove(this);
            }
            try {
                super.close();
                T output = commit(spec, destination, spool);
                synchronized (RecordingOutputs.this) {
                    committed.add(output);
                }
            } finally {
                TempFiles.deleteQuietly(spool);
            }
        }

        /** Drops an output the function left open when it failed: nothing is committed, the spool file goes. */
        void discard() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                out.close();
            } catch (IOException ignored) {
                // the spool file is deleted either way
            }
            TempFiles.deleteQuietly(spool);
        }
    }

    /** What was committed so far, in order. */
    synchronized List<T> committed() {
        return List.copyOf(committed);
    }

    /** Removes every committed output and discards unclosed ones; used when the invocation failed. */
    void rollback() {
        List<Pending> unclosed;
        synchronized (this) {
            unclosed = List.copyOf(pending);
            pending.clear();
        }
        unclosed.forEach(Pending::discard);
        for (T output : committed()) {
            try {
                remove(output);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(RecordingOutputs.class)
                        .warn("Could not remove partial output {}: {}", output, e.getMessage());
            }
        }
        synchronized (this) {
            committed.clear();
        }
    }
}
