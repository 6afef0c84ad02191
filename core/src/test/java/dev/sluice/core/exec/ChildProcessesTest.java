package dev.sluice.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.SluiceException;
import dev.sluice.core.TransientException;
import dev.sluice.core.exec.ChildProcesses.ChildCrashedException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invocations in real child JVMs: outputs, progress and errors cross over; crashes, overruns and heap do not. */
class ChildProcessesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Path input;
    ChildProcesses children;
    final Misbehaving function = new Misbehaving();
    final Map<OutputSpec, byte[]> written = new LinkedHashMap<>();
    final Outputs outputs = spec -> new ByteArrayOutputStream() {
        @Override
        public void close() {
            written.put(spec, toByteArray());
        }
    };
    final List<Double> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        input = Files.writeString(dir.resolve("page.txt"), "hello from the parent");
        children = new ChildProcesses(Duration.ofMillis(500), Duration.ofMinutes(1));
    }

    @AfterEach
    void tearDown() {
        children.close();
    }

    private void run(String mode, Duration timeout) throws Exception {
        run(mode, "256m", timeout);
    }

    private void run(String mode, String heap, Duration timeout) throws Exception {
        children.run(function, heap, new LocalInput(input), Parameters.of(function, Map.of("mode", mode)), outputs,
                timeout, progress::add);
    }

    private long childPid() throws Exception {
        written.clear();
        run("pid", TIMEOUT);
        return Long.parseLong(new String(written.values().iterator().next(), StandardCharsets.UTF_8));
    }

    @Test
    void outputsAndProgressComeBackAsTheFunctionWroteThem() throws Exception {
        run("copy", TIMEOUT);

        assertThat(written.keySet()).containsExactly(
                new OutputSpec("-a", "txt", "text/plain", Map.of("n", "1")),
                new OutputSpec("-b", "bin", "application/octet-stream", Map.of("n", "2")));
        assertThat(new ArrayList<>(written.values())).extracting(b -> new String(b, StandardCharsets.UTF_8))
                .containsExactly("hello from the parent", "page.txt");
        assertThat(progress).containsExactly(0.5, 1.0);
        assertThat(childPid()).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void failuresKeepTheirKindAndMessage() {
        assertThatThrownBy(() -> run("bad", TIMEOUT)).isExactlyInstanceOf(BadInputException.class)
                .hasMessage("page.txt is not a page; re-scan it");
        assertThatThrownBy(() -> run("limit", TIMEOUT)).isExactlyInstanceOf(LimitExceededException.class);
        assertThatThrownBy(() -> run("transient", TIMEOUT)).isExactlyInstanceOf(TransientException.class);
        assertThatThrownBy(() -> run("error", TIMEOUT)).isExactlyInstanceOf(SluiceException.class)
                .hasMessage("IllegalStateException: boom");
        assertThat(written).isEmpty();
    }

    @Test
    void oneChildServesInvocationsOneAfterAnother() throws Exception {
        long first = childPid();

        assertThat(childPid()).isEqualTo(first);
        assertThat(children.size()).isEqualTo(1);
    }

    @Test
    void aCrashFailsOnlyItsInvocationAndTheNextGetsANewChild() throws Exception {
        long before = childPid();

        assertThatThrownBy(() -> run("halt", TIMEOUT)).isInstanceOf(ChildCrashedException.class)
                .hasMessageContaining("on page.txt").hasMessageContaining("exit code 134").hasMessageContaining("SIGABRT");

        assertThat(childPid()).isNotEqualTo(before);
        assertThat(children.size()).isEqualTo(1);
    }

    @Test
    void aChildKilledWhileIdleIsReplacedWithoutFailingTheNextInput() throws Exception {
        long before = childPid();
        ProcessHandle.of(before).ifPresent(ProcessHandle::destroyForcibly); // as the kernel's OOM killer would
        await().atMost(Duration.ofSeconds(20)).until(() -> !isAlive(before));

        assertThat(childPid()).isNotEqualTo(before);
        assertThat(children.size()).isEqualTo(1);
    }

    @Test
    void anInvocationThatIgnoresInterruptsIsKilledAfterItsTimeout() throws Exception {
        long before = childPid();

        assertThatThrownBy(() -> run("spin", Duration.ofMillis(300)))
                .isInstanceOf(InvocationTimeoutException.class).hasMessageContaining("page.txt");

        await().atMost(Duration.ofSeconds(20)).until(() -> !isAlive(before));
        assertThat(childPid()).isNotEqualTo(before);
    }

    @Test
    void runningOutOfHeapEndsTheChildWithAMessageThatNamesTheHeap() {
        assertThatThrownBy(() -> run("oom", "48m", TIMEOUT)).isInstanceOf(ChildCrashedException.class)
                .hasMessageContaining("ran out of its 48m heap").hasMessageContaining("functions.test-misbehaving.heap");
    }

    @Test
    void aChildGetsThisJvmsOptionsButItsOwnHeap() {
        assertThat(List.of("-Dsluice.tmpdir=/x", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1",
                "-XX:SharedArchiveFile=/a.jsa", "-Xshare:auto", "-Xss2m"))
                .allMatch(ChildProcesses::passedOn);
        assertThat(List.of("-Xmx4g", "-Xms1g", "-XX:MaxRAMPercentage=60", "-XX:ArchiveClassesAtExit=/b.jsa",
                "-XX:DumpLoadedClassList=/c", "-agentpath:/p.so", "-javaagent:/j.jar", "-XX:+ExitOnOutOfMemoryError"))
                .noneMatch(ChildProcesses::passedOn);
    }

    @Test
    void idleChildrenEnd() throws Exception {
        children.close();
        children = new ChildProcesses(Duration.ofMillis(500), Duration.ofMillis(400));
        long pid = childPid();

        await().atMost(Duration.ofSeconds(20)).until(() -> children.size() == 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> !isAlive(pid));
    }

    @Test
    void aWarmMinimumIsStartedAtOnceOutlivesTheIdleTimeoutAndIsReplacedWhenItDies() throws Exception {
        children.close();
        children = new ChildProcesses(Duration.ofMillis(500), Duration.ofMillis(400));

        children.keepWarm(function, "256m", 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> children.size() == 1); // before any invocation

        Thread.sleep(1_500); // well past the idle timeout
        assertThat(children.size()).isEqualTo(1);
        assertThat(children.run(function, "256m", new LocalInput(input),
                Parameters.of(function, Map.of("mode", "copy")), outputs, TIMEOUT, progress::add))
                .as("a warm child takes the first invocation: no cold start").isFalse();
        long warmPid = childPid();

        ProcessHandle.of(warmPid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(20)).until(() -> !isAlive(warmPid));
        await().atMost(Duration.ofSeconds(20)).until(() -> children.size() == 1 && childPid() != warmPid);

        children.keepWarm(function, "256m", 0); // scale to zero again
        await().atMost(Duration.ofSeconds(20)).until(() -> children.size() == 0);
    }

    @Test
    void onlyAnInvocationThatStartedItsChildIsAColdStart() throws Exception {
        Parameters copy = Parameters.of(function, Map.of("mode", "copy"));

        assertThat(children.run(function, "256m", new LocalInput(input), copy, outputs, TIMEOUT, progress::add))
                .isTrue();
        assertThat(children.run(function, "256m", new LocalInput(input), copy, outputs, TIMEOUT, progress::add))
                .isFalse();
        assertThat(children.run(function, "128m", new LocalInput(input), copy, outputs, TIMEOUT, progress::add))
                .as("another heap is another pool").isTrue();
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Behaves as its {@code mode} says; the harmful modes only in a child JVM, never in the test's own. */
    public static final class Misbehaving implements SluiceFunction {
        @Override
        public String name() {
            return "test-misbehaving";
        }

        @Override
        public String description() {
            return "Test only.";
        }

        @Override
        public List<ParameterSpec> parameters() {
            return List.of(ParameterSpec.of("mode", ParameterType.STRING, "copy", "What to do."));
        }

        @Override
        public void apply(Invocation invocation) throws Exception {
            String mode = invocation.parameters().get("mode");
            if (List.of("halt", "spin", "oom").contains(mode) && System.getProperty("sluice.child") == null) {
                throw new IllegalStateException(mode + " would harm the test JVM");
            }
            switch (mode) {
                case "copy" -> {
                    try (InputStream in = invocation.input().openStream();
                         OutputStream out = invocation.outputs().open(
                                 new OutputSpec("-a", "txt", "text/plain", Map.of("n", "1")))) {
                        in.transferTo(out);
                    }
                    invocation.progress(0.5);
                    invocation.outputs().write(new OutputSpec("-b", "bin", "application/octet-stream",
                            Map.of("n", "2")), invocation.input().key().getBytes(StandardCharsets.UTF_8));
                    invocation.progress(1.0);
                }
                case "pid" -> invocation.outputs().write(OutputSpec.of("", "txt", "text/plain"),
                        String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
                case "bad" -> throw new BadInputException(invocation.input().key() + " is not a page; re-scan it");
                case "limit" -> throw new LimitExceededException("too many pages");
                case "transient" -> throw new TransientException("store unreachable");
                case "error" -> throw new IllegalStateException("boom");
                case "halt" -> Runtime.getRuntime().halt(134);
                case "spin" -> {
                    long spins = 0;
                    while (spins >= 0) { // ignores interrupts and the deadline, as a stuck native call would
                        spins++;
                    }
                }
                case "oom" -> {
                    List<long[]> hoard = new ArrayList<>();
                    while (true) {
                        hoard.add(new long[1 << 20]);
                    }
                }
                default -> throw new IllegalArgumentException(mode);
            }
        }
    }
}
