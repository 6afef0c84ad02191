package dev.sluice.functions.pdf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs function invocations in a separate JVM with a small heap, the way the executor's isolated mode does, to
 * show that they stay within it. The parent writes one job per line; the child prints one result per job.
 */
final class ChildJvm {
    static final String HEAP = "-Xmx256m";

    /** One invocation: function name, input file, output folder, parameters. */
    record Job(String function, Path input, Path outDir, Map<String, String> params) {
        String line() {
            StringBuilder line = new StringBuilder(function + "\t" + input + "\t" + outDir);
            params.forEach((k, v) -> line.append('\t').append(k).append('=').append(v));
            return line.toString();
        }

        static Job parse(String line) {
            String[] parts = line.split("\t");
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 3; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                params.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            return new Job(parts[0], Path.of(parts[1]), Path.of(parts[2]), params);
        }
    }

    /** What happened to one job: an error as {@code Failures.describe} writes it, or null, and the outputs. */
    record Outcome(Job job, String error, List<Path> outputs) {
    }

    private ChildJvm() {
    }

    /** Runs {@code jobs} in one child JVM with {@link #HEAP}; fails the test if the JVM itself fails. */
    static List<Outcome> run(Path workDir, List<Job> jobs) throws IOException, InterruptedException {
        Path jobsFile = workDir.resolve("jobs.tsv");
        Files.write(jobsFile, jobs.stream().map(Job::line).toList(), StandardCharsets.UTF_8);
        Path log = workDir.resolve("child.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-XX:+ExitOnOutOfMemoryError",
                "-Dsluice.tmpdir=" + workDir.resolve("tmp"),
                "-Dorg.slf4j.simpleLogger.log.org.apache.pdfbox=off",
                "-Dorg.slf4j.simpleLogger.log.org.apache.fontbox=off",
                "-cp", System.getProperty("java.class.path"),
                ChildJvm.class.getName(), jobsFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // A guard against a hang, not a timing assertion.
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish; log:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertThat(process.exitValue()).as("child JVM exit code; log:\n%s", output).isZero();
        List<Outcome> outcomes = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT\t")) {
                String[] parts = line.split("\t", 4);
                Job job = jobs.get(Integer.parseInt(parts[1]));
                List<Path> outputs = new ArrayList<>();
                String error = null;
                if (parts[2].equals("OK")) {
                    if (!parts[3].isEmpty()) {
                        for (String path : parts[3].split("\\|")) {
                            outputs.add(Path.of(path));
                        }
                    }
                } else {
                    error = parts[3];
                }
                outcomes.add(new Outcome(job, error, outputs));
            }
        }
        assertThat(outcomes).as("results in child log:\n%s", output).hasSize(jobs.size());
        return outcomes;
    }

    /** Child side: runs each job in turn and prints {@code RESULT <index> OK|FAIL <outputs|error>}. */
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        Files.createDirectories(Path.of(System.getProperty("sluice.tmpdir")));
        try (FunctionRegistry registry = FunctionRegistry.loadDefault()) {
            for (int i = 0; i < lines.size(); i++) {
                Job job = Job.parse(lines.get(i));
                SluiceFunction function = registry.get(job.function());
                Files.createDirectories(job.outDir());
                LocalInvoker.Result result = LocalInvoker.invoke(function, Parameters.of(function, job.params()),
                        List.of(job.input()), job.outDir(), 1, Duration.ofMinutes(2), r -> { }).get(0);
                String detail = result.succeeded()
                        ? String.join("|", result.outputs().stream().map(Path::toString).toList())
                        : result.error().replace('\n', ' ').replace('\t', ' ');
                System.out.println("RESULT\t" + i + "\t" + (result.succeeded() ? "OK" : "FAIL") + "\t" + detail);
                System.out.flush();
            }
        }
    }
}
