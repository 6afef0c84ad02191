package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.SluiceException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs a {@link MinioSetupPlan} with mc: each command is shown (secrets as variables), its output passed on, and the
 * first failure stops the run with what to check.
 */
final class McRunner {
    /** Names of the MinIO client: {@code mcli} where {@code mc} is Midnight Commander (Arch, Fedora). */
    static final List<String> NAMES = List.of("mc", "mcli");

    private final Path mc;

    McRunner(Path mc) {
        this.mc = mc;
    }

    /** The first executable {@code mc} or {@code mcli} in the folders of {@code pathVariable} (a PATH value). */
    static Optional<Path> find(String pathVariable) {
        if (pathVariable == null) {
            return Optional.empty();
        }
        for (String name : NAMES) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Checks that {@code mc} is MinIO's client: on many Linux systems {@code mc} is GNU Midnight Commander, which
     * would take the arguments for something else entirely.
     */
    void checkIsMinioClient() {
        Result version = execute(List.of("--version"), null);
        if (version.exitCode() != 0 || !version.output().toLowerCase(Locale.ROOT).contains("minio")) {
            String firstLine = version.output().lines().findFirst().orElse("no output").trim();
            throw new ConfigException(mc + " is not the MinIO client (`" + mc.getFileName() + " --version` says: "
                    + firstLine + "). Install MinIO's mc (https://min.io/docs/minio/linux/reference/minio-mc.html) "
                    + "ahead of it on the PATH, or run the script that `sluice minio setup` prints without --apply.");
        }
    }

    /**
     * Runs every action in order, showing each and its output on {@code out}.
     *
     * @return 0 when all succeeded; else 1, after saying on {@code err} which command failed and what to check
     */
    int run(MinioSetupPlan plan, PrintWriter out, PrintWriter err) {
        List<MinioSetupPlan.Action> actions = plan.actions();
        for (int i = 0; i < actions.size(); i++) {
            MinioSetupPlan.Action action = actions.get(i);
            out.printf("[%d/%d] %s%n", i + 1, actions.size(), action.display());
            out.flush();
            Result result = execute(action.argv(), out);
            if (result.exitCode() != 0) {
                err.printf("sluice: step %d of %d failed (%s exited with %d): %s%n", i + 1, actions.size(),
                        mc.getFileName(), result.exitCode(), action.display());
                err.printf("  %s%n", action.ifFails());
                err.printf("  Every step can be repeated safely: fix the cause and run `sluice minio setup --apply` "
                        + "again.%n");
                err.flush();
                return 1;
            }
        }
        return 0;
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs mc with {@code args}, its output (stdout and stderr) copied line by line to {@code echo} if given. */
    private Result execute(List<String> args, PrintWriter echo) {
        List<String> command = new ArrayList<>();
        command.add(mc.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        StringBuilder output = new StringBuilder();
        try {
            Process process = builder.start();
            process.getOutputStream().close(); // mc never waits for input
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    output.append(line).append('\n');
                    if (echo != null) {
                        echo.println("  " + line);
                        echo.flush();
                    }
                }
            }
            return new Result(process.waitFor(), output.toString());
        } catch (IOException e) {
            throw new SluiceException("Cannot run " + mc + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while running " + mc, e);
        }
    }
}
