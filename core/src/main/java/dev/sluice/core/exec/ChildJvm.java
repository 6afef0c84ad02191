package dev.sluice.core.exec;

import dev.sluice.core.exec.ChildProtocol.Message;
import dev.sluice.core.exec.ChildProtocol.Request;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One child JVM running {@link ChildMain}, used by one invocation at a time. */
final class ChildJvm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);
    /** Put on the queue when the child's standard output ends: it exited, or was killed. */
    private static final Message EXITED = new Message(null, null, null);

    private final Process process;
    private final Writer requests;
    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final String label;
    private volatile long idleSinceNanos = System.nanoTime();

    private ChildJvm(Process process, String label) {
        this.process = process;
        this.label = label;
        this.requests = new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(this::readMessages, "sluice-child-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}; the child's standard error goes to this process's. */
    static ChildJvm start(List<String> command, String label) throws IOException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        LOG.info("Started child JVM {} for {}", process.pid(), label);
        return new ChildJvm(process, label);
    }

    /** Hands the child an invocation; fails when the child is gone. */
    void send(Request request) throws IOException {
        requests.write(ChildProtocol.write(request));
        requests.write('\n');
        requests.flush();
    }

    /** The child's answer to the request {@linkplain #send sent}: its outputs or its failure. */
    Message answer(Duration wait, DoubleConsumer progress) throws InterruptedException, Overran, Died {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Message message = messages.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (message == null) {
                throw new Overran();
            }
            if (message == EXITED) {
                throw new Died(exitCode());
            }
            if (message.progress() != null) {
                progress.accept(message.progress());
            } else {
                idleSinceNanos = System.nanoTime();
                return message;
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The pool this child belongs to: its function and heap. */
    String pool() {
        return label;
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    private int exitCode() throws InterruptedException {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return process.waitFor();
        }
        return process.exitValue();
    }

    private void readMessages() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                int marker = line.indexOf(ChildProtocol.MARKER);
                if (marker < 0) {
                    LOG.info("[child {} {}] {}", process.pid(), label, line); // printed by a native library
                    continue;
                }
                try {
                    messages.add(ChildProtocol.read(line.substring(marker + ChildProtocol.MARKER.length()),
                            Message.class));
                } catch (IOException e) {
                    LOG.warn("[child {} {}] unreadable message: {}", process.pid(), label, line);
                }
            }
        } catch (IOException e) {
            LOG.debug("Child JVM {} output ended: {}", process.pid(), e.toString());
        } finally {
            messages.add(EXITED);
        }
    }

    /** Closing its standard input ends the child; one that does not end soon is killed. */
    @Override
    public void close() {
        try {
            requests.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (IOException e) {
            kill();
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    /** The child gave no answer in time. */
    static final class Overran extends Exception {
        Overran() {
            super(null, null, false, false);
        }
    }

    /** The child exited before it answered. */
    static final class Died extends Exception {
        final int exitCode;

        Died(int exitCode) {
            super("exit code " + exitCode, null, false, false);
            this.exitCode = exitCode;
        }
    }
}
