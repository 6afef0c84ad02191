package dev.sluice.core.exec;

import dev.sluice.core.SluiceException;
import dev.sluice.core.exec.ChildProtocol.Failure;
import dev.sluice.core.exec.ChildProtocol.Message;
import dev.sluice.core.exec.ChildProtocol.Output;
import dev.sluice.core.exec.ChildProtocol.Request;
import dev.sluice.core.function.Input;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs invocations in child JVMs ({@code isolation: process}): what a parser's native crash, an endless loop that
 * ignores interrupts or a heap exhausted by one input cannot be stopped from inside the JVM, so such functions run
 * where they take only a child down. Children are pooled per function and heap and reused, one invocation at a
 * time each; a child is killed when an invocation overruns its timeout by {@code killGrace}, replaced after it
 * dies, and ended after {@code idleTimeout} without work. The function runs unchanged: the child makes it from its
 * class and runs it with the same {@link FunctionRunner}; its input is the parent's local copy and its outputs are
 * files that the parent stores when the invocation succeeds.
 */
public final class ChildProcesses implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcesses.class);
    private final Duration killGrace;
    private final Duration idleTimeout;
    private final Map<String, Deque<ChildJvm>> idle = new HashMap<>();
    private final Set<ChildJvm> busy = new HashSet<>();
    /** Pools that keep children alive while idle, by pool name. */
    private final Map<String, WarmMinimum> warm = new HashMap<>();
    private ScheduledExecutorService sweeper;
    private boolean closed;

    public ChildProcesses() {
        this(Duration.ofSeconds(5), Duration.ofMinutes(1));
    }

    public ChildProcesses(Duration killGrace, Duration idleTimeout) {
        this.killGrace = killGrace;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Runs {@code function} on {@code input} in a child JVM with {@code heap} (as for {@code -Xmx}); throws what
     * it threw (as the same kind: bad input, limit, transient), {@link InvocationTimeoutException}, or
     * {@link ChildCrashedException} when the child died.
     *
     * @return true when the invocation waited for a child JVM to start (a cold start), false when one was waiting
     */
    public boolean run(SluiceFunction function, String heap, Input input, Parameters parameters, Outputs outputs,
                       Duration timeout, DoubleConsumer progress) throws Exception {
        Path folder = Files.createTempDirectory(TempFiles.directory(), "sluice-child-");
        try {
            Request request = new Request(function.getClass().getName(), input.key(),
                    input.file().toAbsolutePath().toString(), input.contentType(), input.size(), parameters.asMap(),
                    timeout.toMillis(), folder.toString());
            String pool = poolName(function, heap);
            Borrowed borrowed = sendToChild(pool, function, heap, request);
            ChildJvm child = borrowed.child();
            boolean reusable = false;
            try {
                Message reply = child.answer(timeout.plus(killGrace), progress);
                reusable = true;
                Failure failure = reply.failure();
                if (failure != null) {
                    throw failure.kind() == Failure.Kind.TIMEOUT
                            ? new InvocationTimeoutException(function.name(), input.key(), timeout, null)
                            : failure.toException();
                }
                for (Output output : reply.outputs()) {
                    outputs.write(output.spec(), Path.of(output.file()));
                }
                return borrowed.started();
            } catch (ChildJvm.Overran e) {
                throw new InvocationTimeoutException(function.name(), input.key(), timeout, null);
            } catch (ChildJvm.Died e) {
                throw new ChildCrashedException(function.name(), input.key(), heap, e.exitCode);
            } finally {
                release(pool, child, reusable);
            }
        } finally {
            deleteQuietly(folder);
        }
    }

    /**
     * A child that took the request. A pooled child may have died while it waited (the kernel's OOM killer, say);
     * then a new one gets the request, as that death says nothing about this input.
     */
    private Borrowed sendToChild(String pool, SluiceFunction function, String heap, Request request)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            Borrowed borrowed = borrow(pool, function, heap);
            try {
                borrowed.child().send(request);
                return borrowed;
            } catch (IOException e) {
                release(pool, borrowed.child(), false);
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    /** A child taken for one invocation, and whether it had to be started for it. */
    private record Borrowed(ChildJvm child, boolean started) {
    }

    private Borrowed borrow(String pool, SluiceFunction function, String heap) throws IOException {
        synchronized (this) {
            checkOpen();
            Deque<ChildJvm> free = idle.getOrDefault(pool, new ArrayDeque<>());
            for (ChildJvm child = free.pollFirst(); child != null; child = free.pollFirst()) {
                if (child.isAlive()) {
                    busy.add(child);
                    return new Borrowed(child, false);
                }
            }
            startSweeper();
        }
        ChildJvm child = ChildJvm.start(command(function, heap), pool);
        synchronized (this) {
            if (!closed) {
                busy.add(child);
                return new Borrowed(child, true);
            }
        }
        child.kill();
        throw new IllegalStateException("Child processes are closed");
    }

    private void startSweeper() {
        if (sweeper == null) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-child-sweeper");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, idleTimeout.toMillis() / 4);
            sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private static String poolName(SluiceFunction function, String heap) {
        return function.name() + " -Xmx" + heap;
    }

    /** How many children of a pool stay alive while idle, and how to start one. */
    private record WarmMinimum(SluiceFunction function, String heap, int children) {
    }

    /**
     * Keeps {@code children} child JVMs for {@code function} with {@code heap} started and alive while there is no
     * work (the warm minimum): they start now, in the background, with the function prepared, so that the first
     * invocation is not a cold start; they outlive the idle timeout, and one that dies is replaced. Children beyond
     * them still end when idle. 0 lets the pool scale to zero again.
     */
    public void keepWarm(SluiceFunction function, String heap, int children) {
        synchronized (this) {
            checkOpen();
            String pool = poolName(function, heap);
            if (children <= 0) {
                warm.remove(pool);
                return;
            }
            warm.put(pool, new WarmMinimum(function, heap, children));
            startSweeper();
            sweeper.execute(this::sweep);
        }
    }

    private void release(String pool, ChildJvm child, boolean reusable) {
        synchronized (this) {
            busy.remove(child);
            if (reusable && !closed && child.isAlive()) {
                idle.computeIfAbsent(pool, k -> new ArrayDeque<>()).addFirst(child);
                return;
            }
        }
        child.kill();
    }

    /**
     * Scale to zero, down to the warm minimum: children without work for the idle timeout end (the least recently
     * used first), unless the pool would then hold fewer than its warm minimum; dead children are dropped; and pools
     * below their warm minimum get new children.
     */
    private void sweep() {
        List<ChildJvm> ending = new ArrayList<>();
        List<WarmMinimum> starting = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            for (Map.Entry<String, Deque<ChildJvm>> pool : idle.entrySet()) {
                Deque<ChildJvm> free = pool.getValue();
                free.removeIf(child -> !child.isAlive() && ending.add(child));
                WarmMinimum minimum = warm.get(pool.getKey());
                int keep = minimum == null ? 0 : minimum.children();
                int working = busyIn(pool.getKey());
                for (var oldest = free.descendingIterator(); oldest.hasNext() && working + free.size() > keep; ) {
                    ChildJvm child = oldest.next();
                    if (child.idleNanos() > idleTimeout.toNanos()) {
                        oldest.remove();
                        ending.add(child);
                    }
                }
            }
            for (Map.Entry<String, WarmMinimum> pool : warm.entrySet()) {
                int alive = busyIn(pool.getKey()) + idle.getOrDefault(pool.getKey(), new ArrayDeque<>()).size();
                for (int i = alive; i < pool.getValue().children(); i++) {
                    starting.add(pool.getValue());
                }
            }
        }
        ending.forEach(ChildJvm::close);
        for (WarmMinimum minimum : starting) {
            String pool = poolName(minimum.function(), minimum.heap());
            try {
                ChildJvm child = ChildJvm.start(command(minimum.function(), minimum.heap()), pool);
                synchronized (this) {
                    if (!closed) {
                        idle.computeIfAbsent(pool, k -> new ArrayDeque<>()).addLast(child);
                        continue;
                    }
                }
                child.kill();
            } catch (IOException e) {
                LOG.warn("Could not start a warm child JVM for {}: {}", pool, e.toString());
            }
        }
    }

    private int busyIn(String pool) {
        return (int) busy.stream().filter(child -> child.pool().equals(pool)).count();
    }

    /** Children running now or waiting for work. */
    public synchronized int size() {
        return busy.size() + idle.values().stream().mapToInt(Deque::size).sum();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Child processes are closed");
        }
    }

    @Override
    public void close() {
        List<ChildJvm> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
            all.addAll(busy); // their invocations end with an error, as they would in a stopping process
            if (sweeper != null) {
                sweeper.shutdownNow();
            }
        }
        all.forEach(ChildJvm::kill);
    }

    /**
     * The same java, class path, system properties and JVM options as this JVM (its garbage collector, compiler
     * settings and class-data archive, which then still matches), but its own heap limit and an exit on running out
     * of it. Options that size this JVM's heap, write an archive or attach an agent are not passed on.
     */
    static List<String> command(SluiceFunction function, String heap) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (passedOn(option)) {
                command.add(option);
            }
        }
        command.add("-Xmx" + heap);
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Dsluice.child=true");
        command.add("-cp");
        command.add(classPath(function.getClass()));
        command.add(ChildMain.class.getName());
        command.add(function.getClass().getName()); // made and prepared as the child starts
        return command;
    }

    static boolean passedOn(String option) {
        if (option.startsWith("-D") || option.startsWith("-Xshare:") || option.startsWith("-Xss")) {
            return true;
        }
        if (!option.startsWith("-XX:")) {
            return false; // -Xmx, -Xms, -agentpath, -javaagent, ...
        }
        String name = option.substring(4).replaceFirst("^[+-]", "").replaceFirst("=.*", "");
        return !List.of("MaxRAMPercentage", "InitialRAMPercentage", "MinRAMPercentage", "MaxRAM", "MaxHeapSize",
                "InitialHeapSize", "DumpLoadedClassList", "ArchiveClassesAtExit", "AOTCacheOutput", "AOTMode",
                "AOTConfiguration", "SharedClassListFile", "ExitOnOutOfMemoryError").contains(name);
    }

    /** This JVM's class path, plus the jar of a function that a plugin class loader loaded. */
    private static String classPath(Class<?> functionClass) {
        String path = System.getProperty("java.class.path");
        try {
            if (Class.forName(functionClass.getName(), false, ClassLoader.getSystemClassLoader()) == functionClass) {
                return path;
            }
        } catch (ClassNotFoundException e) {
            // a plugin's: its jar is added below
        }
        CodeSource source = functionClass.getProtectionDomain().getCodeSource();
        if (source == null) {
            return path;
        }
        try {
            return path + File.pathSeparator + Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return path;
        }
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(TempFiles::deleteQuietly);
        } catch (IOException e) {
            // best effort: it is in the temp folder
        }
    }

    /** The child JVM running an invocation died: a native library crashed, the heap ran out, or it was killed. */
    public static final class ChildCrashedException extends SluiceException {
        public ChildCrashedException(String function, String input, String heap, int exitCode) {
            super("Function '" + function + "' crashed its child JVM on " + input + " (" + cause(exitCode, function, heap)
                    + "). The input is not retried; the next invocation gets a new child JVM.");
        }

        private static String cause(int exitCode, String function, String heap) {
            if (exitCode == 3) { // -XX:+ExitOnOutOfMemoryError
                return "it ran out of its " + heap + " heap; raise functions." + function + ".heap if such inputs are "
                        + "expected";
            }
            if (exitCode > 128) {
                int signal = exitCode - 128;
                String name = switch (signal) {
                    case 6 -> "SIGABRT, as the JVM ends on a native crash";
                    case 9 -> "SIGKILL, for example from the kernel when memory ran out";
                    case 11 -> "SIGSEGV";
                    default -> "signal " + signal;
                };
                return "exit code " + exitCode + ": " + name + "; a native library probably failed on this input";
            }
            return "exit code " + exitCode;
        }
    }
}
