package dev.sluice.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import dev.sluice.core.testfunctions.CopyFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60) // a guard against hangs, not a timing assertion
class LocalInvokerTest {
    static final SluiceFunction COPY = new CopyFunction();
    static final Duration GENEROUS = Duration.ofMinutes(1);

    @TempDir
    Path inDir;
    @TempDir
    Path outDir;
    @TempDir
    Path spoolDir;
    private String previousTmpDir;

    @BeforeEach
    void isolateSpoolFiles() {
        previousTmpDir = System.getProperty("sluice.tmpdir");
        System.setProperty("sluice.tmpdir", spoolDir.toString());
    }

    @AfterEach
    void restoreTmpDir() {
        if (previousTmpDir == null) {
            System.clearProperty("sluice.tmpdir");
        } else {
            System.setProperty("sluice.tmpdir", previousTmpDir);
        }
    }

    Path input(String name, String content) throws IOException {
        Path file = inDir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    static Parameters params(String... assignments) {
        return Parameters.of(COPY, Parameters.parseAssignments(List.of(assignments)));
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void outputsAreNamedAfterTheirInputs() throws Exception {
        Path beach = input("beach.jpg", "sand");
        Path notes = input("sub/notes.v2.txt", "text");
        Path plain = input("README", "readme");
        List<LocalInvoker.Result> reported = Collections.synchronizedList(new ArrayList<>());

        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params(), List.of(beach, notes, plain), outDir, 2,
                GENEROUS, reported::add);

        assertThat(results).extracting(LocalInvoker.Result::input).containsExactly(beach, notes, plain);
        assertThat(results).allSatisfy(result -> {
            assertThat(result.succeeded()).isTrue();
            assertThat(result.error()).isNull();
            assertThat(result.duration().isNegative()).isFalse();
        });
        assertThat(reported).hasSize(3);
        assertThat(names(outDir)).containsExactly("README-1.txt", "README-2.txt", "beach-1.txt", "beach-2.txt",
                "notes.v2-1.txt", "notes.v2-2.txt");
        assertThat(results.get(0).outputs()).containsExactly(outDir.resolve("beach-1.txt"), outDir.resolve("beach-2.txt"));
        assertThat(Files.readString(outDir.resolve("beach-2.txt"))).isEqualTo("sand");
        assertThat(names(spoolDir)).as("spool files are cleaned up").isEmpty();
    }

    @Test
    void outputsGetTheModeOfAnyNewFileNotATempFilesOwnerOnlyMode() throws Exception {
        assumeTrue(outDir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        Path beach = input("beach.jpg", "sand");
        Path plain = Files.createFile(outDir.resolve("made-by-hand.txt")); // what the umask gives a new file

        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params(), List.of(beach), outDir, 1, GENEROUS,
                result -> { });

        assertThat(Files.getPosixFilePermissions(results.get(0).outputs().get(0)))
                .isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void largeInputsStartFirstAndResultsKeepTheGivenOrder() throws Exception {
        Path small = input("small.txt", "s");
        Path large = input("large.txt", "l".repeat(5000));
        Path missing = inDir.resolve("missing.txt");
        Path medium = input("medium.txt", "m".repeat(300));
        List<Path> started = Collections.synchronizedList(new ArrayList<>());

        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params(), List.of(small, large, missing, medium),
                outDir, 1, GENEROUS, result -> started.add(result.input()));

        assertThat(started).containsExactly(large, medium, small, missing);
        assertThat(results).extracting(LocalInvoker.Result::input).containsExactly(small, large, missing, medium);
        assertThat(results.get(2).succeeded()).isFalse();
    }

    @Test
    void aFailingInputIsReportedWhileTheOthersSucceedAndLeavesNoPartialOutputs() throws Exception {
        List<Path> inputs = List.of(input("good-1.txt", "a"), input("corrupt.txt", "b"), input("good-2.txt", "c"));

        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params("fail-on=corrupt"), inputs, outDir, 3,
                GENEROUS, result -> { });

        assertThat(results.get(0).succeeded()).isTrue();
        assertThat(results.get(2).succeeded()).isTrue();
        LocalInvoker.Result failed = results.get(1);
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.input()).isEqualTo(inputs.get(1));
        assertThat(failed.outputs()).isEmpty();
        assertThat(failed.error()).isEqualTo(
                "BadInputException: Test input corrupt.txt is corrupt at copy 2; replace the file.");
        assertThat(names(outDir)).containsExactly("good-1-1.txt", "good-1-2.txt", "good-2-1.txt", "good-2-2.txt");
    }

    @Test
    void aFailedInvocationLeavesNoSpoolFilesBehind() throws Exception {
        // The failing input leaves one output open when it throws: its spool file must go too.
        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params("fail-on=bad", "copies=1,2,3"),
                List.of(input("bad.txt", "x")), outDir, 1, GENEROUS, result -> { });

        assertThat(results.get(0).succeeded()).isFalse();
        assertThat(names(outDir)).isEmpty();
        assertThat(names(spoolDir)).isEmpty();
    }

    @Test
    void aFunctionThatSleepsPastItsTimeoutIsInterruptedAndReportedAsATimeout() throws Exception {
        List<Path> inputs = List.of(input("slow.txt", "zzz"));

        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params("sleep-ms=600000"), inputs, outDir, 1,
                Duration.ofMillis(200), result -> { });

        LocalInvoker.Result result = results.get(0);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).startsWith("InvocationTimeoutException: ")
                .contains("'core-test-copy'")
                .contains("slow.txt")
                .contains("within 200 ms")
                .contains("functions.core-test-copy.timeout");
        assertThat(result.duration()).isLessThan(Duration.ofMinutes(10));
        assertThat(names(outDir)).isEmpty();
    }

    @Test
    void aTimeoutDoesNotLeakItsInterruptIntoTheNextInputOnTheSameThread() throws Exception {
        // One worker thread: the second input runs right after the first one was interrupted.
        SluiceFunction sleepsOnFirst = new SluiceFunction() {
            @Override
            public String name() {
                return "sleeps-on-first";
            }

            @Override
            public String description() {
                return "";
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of();
            }

            @Override
            public void apply(Invocation invocation) throws Exception {
                if (invocation.input().fileName().startsWith("1")) {
                    Thread.sleep(600_000);
                }
                invocation.outputs().write(OutputSpec.of("", "out", "text/plain"), new byte[] {1});
            }
        };
        List<Path> inputs = List.of(input("1-slow.txt", "a"), input("2-fast.txt", "b"));

        List<LocalInvoker.Result> results = LocalInvoker.invoke(sleepsOnFirst, Parameters.of(sleepsOnFirst, Map.of()),
                inputs, outDir, 1, Duration.ofMillis(200), result -> { });

        assertThat(results.get(0).error()).startsWith("InvocationTimeoutException");
        assertThat(results.get(1).succeeded()).as(results.get(1).error()).isTrue();
        assertThat(names(outDir)).containsExactly("2-fast.out");
    }

    @Test
    void twoOutputsWithTheSameNameAreAnError() throws Exception {
        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params("same-name=true"),
                List.of(input("photo.jpg", "x")), outDir, 1, GENEROUS, result -> { });

        LocalInvoker.Result result = results.get(0);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).contains("Two outputs of one invocation would both be written to")
                .contains("photo.txt")
                .contains("add a variable such as {width} or {page}");
        assertThat(names(outDir)).as("the first output is rolled back as well").isEmpty();
        assertThat(names(spoolDir)).isEmpty();
    }

    @Test
    void hostileInputFileNamesStayInsideTheOutputFolder() throws Exception {
        Path weird = input("..evil\u202Egpj.jpg", "x");
        Path dots = input("...", "y");

        List<LocalInvoker.Result> results = LocalInvoker.invoke(COPY, params("copies=1"), List.of(weird, dots), outDir,
                2, GENEROUS, result -> { });

        assertThat(results).allSatisfy(result -> assertThat(result.succeeded()).as(result.error()).isTrue());
        assertThat(names(outDir)).containsExactlyInAnyOrder("..evilgpj-1.txt", "__-1.txt");
    }

    @Test
    void runtimeExceptionsAndErrorsFromTheFunctionAreReportedNotThrown() throws Exception {
        SluiceFunction throwing = new SluiceFunction() {
            @Override
            public String name() {
                return "throwing";
            }

            @Override
            public String description() {
                return "";
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of();
            }

            @Override
            public void apply(Invocation invocation) {
                if (invocation.input().fileName().equals("npe")) {
                    throw new NullPointerException();
                }
                throw new AssertionError("boom");
            }
        };

        List<LocalInvoker.Result> results = LocalInvoker.invoke(throwing, Parameters.of(throwing, Map.of()),
                List.of(input("npe", ""), input("err", "")), outDir, 2, GENEROUS, result -> { });

        assertThat(results).extracting(LocalInvoker.Result::error)
                .containsExactly("NullPointerException", "AssertionError: boom");
    }

    @Test
    void noInputsIsNoResults() throws Exception {
        assertThat(LocalInvoker.invoke(COPY, params(), List.of(), outDir, 4, GENEROUS, result -> { })).isEmpty();
    }

    @Test
    void localInputDescribesTheFile() throws Exception {
        Path file = input("dir/photo.png", "12345");
        LocalInput local = new LocalInput(file);

        assertThat(local.key()).isEqualTo("photo.png");
        assertThat(local.fileName()).isEqualTo("photo.png");
        assertThat(local.size()).isEqualTo(5);
        assertThat(local.file()).isEqualTo(file);
        try (var in = local.openStream()) {
            assertThat(in.readAllBytes()).hasSize(5);
        }
        assertThat(new LocalInput(inDir.resolve("missing")).size()).isEqualTo(-1);
    }

    @Test
    void writingAfterTheInvocationFailedCannotResurrectAnOutput() throws Exception {
        List<OutputStream> leaked = new ArrayList<>();
        SluiceFunction leaky = new SluiceFunction() {
            @Override
            public String name() {
                return "leaky";
            }

            @Override
            public String description() {
                return "";
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of();
            }

            @Override
            public void apply(Invocation invocation) throws Exception {
                OutputStream out = invocation.outputs().open(OutputSpec.of("-late", "txt", "text/plain"));
                out.write(1);
                leaked.add(out);
                throw new IllegalStateException("failed with an open output");
            }
        };

        LocalInvoker.invoke(leaky, Parameters.of(leaky, Map.of()), List.of(input("a.txt", "")), outDir, 1, GENEROUS,
                result -> { });
        try {
            leaked.get(0).close(); // e.g. from a thread the function left behind
        } catch (IOException ignored) {
            // refusing is fine too; committing is not
        }

        assertThat(names(outDir)).isEmpty();
        assertThat(names(spoolDir)).isEmpty();
    }
}
