package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code sluice} command as a user runs it: exit codes, messages, files written. */
class CommandLineTest {
    static final Path CORPORA = Path.of(System.getProperty("sluice.corpora", "../../shared/corpora"));

    record Run(int exitCode, String out, String err) {
    }

    static Run sluice(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aNamedSubcommandIsBuiltAloneAndEverythingElseSeesThemAll() {
        var all = Main.commandLine().getSubcommands();
        assertThat(all.keySet()).contains("serve", "worker", "invoke", "backfill", "functions", "config", "retry",
                "minio", "help");
        for (String name : all.keySet()) {
            assertThat(Main.commandLine(name, "--help").getSubcommands().keySet()).as(name).containsExactly(
                    name.equals("help") ? all.keySet().toArray(String[]::new) : new String[] {name});
        }
        assertThat(Main.commandLine("--version").getSubcommands()).hasSameSizeAs(all);
        assertThat(Main.commandLine("invok").getSubcommands()).hasSameSizeAs(all); // for picocli's "did you mean"
        Run help = sluice("--help");
        assertThat(help.out()).contains("serve", "worker", "invoke", "minio");
        Run typo = sluice("invok", "thumbnail");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("invoke");
    }

    @Test
    void warmupRunsTheCommandLinesTheLauncherArchivesAndSucceeds() {
        // ./sluice records the classes `warmup` loads into its class-data archive; a failing warmup (a renamed
        // parameter, a missing function) would leave every later start slow without a word
        Run warmup = sluice("warmup");
        assertThat(warmup.exitCode()).as(warmup.err()).isZero();
    }

    @Test
    void invokeWritesOutputsNamedAfterTheirInputs(@TempDir Path out) throws Exception {
        Run run = sluice("invoke", "thumbnail", "--param", "width=64,128",
                CORPORA.resolve("exif-orientation/hopper.jpg").toString(),
                CORPORA.resolve("images/tika/testPNG.png").toString(), "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(out.resolve("hopper-64.jpg")).exists();
        assertThat(out.resolve("testPNG-128.jpg")).exists();
        assertThat(ImageIO.read(out.resolve("hopper-128.jpg").toFile()).getWidth()).isEqualTo(128);
        assertThat(run.out()).contains("2 input(s): 2 succeeded, 0 failed");
    }

    @Test
    void invokeIsolatedRunsEachInputInAChildJvmAndFailsABadOneAlone(@TempDir Path dir) throws Exception {
        Path broken = Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path out = dir.resolve("out");
        Run run = sluice("invoke", "thumbnail", "--isolate=256m", "--param", "width=64", broken.toString(),
                CORPORA.resolve("exif-orientation/Portrait_6.jpg").toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("broken.jpg");
        assertThat(ImageIO.read(out.resolve("Portrait_6-64.jpg").toFile()).getHeight()).as("turned upright")
                .isEqualTo(96);
        assertThat(out.resolve("broken-64.jpg")).doesNotExist();

        Run badHeap = sluice("invoke", "thumbnail", "--isolate=lots", broken.toString(), "--out", out.toString());
        assertThat(badHeap.exitCode()).isEqualTo(2);
        assertThat(badHeap.err()).contains("--isolate").contains("512m");
    }

    @Test
    void invokeExitsNonZeroAndNamesEachFailedInput(@TempDir Path dir) throws Exception {
        Path broken = Files.write(dir.resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path out = dir.resolve("out");
        Run run = sluice("invoke", "thumbnail", "--param", "width=64", broken.toString(),
                CORPORA.resolve("exif-orientation/hopper.jpg").toString(), "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("broken.jpg");
        assertThat(out.resolve("hopper-64.jpg")).exists();
        assertThat(out.resolve("broken-64.jpg")).doesNotExist();
    }

    @Test
    void unknownFunctionOrParameterIsAUsageError(@TempDir Path out) {
        Run unknown = sluice("invoke", "thumbnial", "x.jpg", "--out", out.toString());
        Path photo = CORPORA.resolve("exif-orientation/hopper.jpg");
        Run badParam = sluice("invoke", "thumbnail", "--param", "widht=64", photo.toString(), "--out", out.toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(badParam.exitCode()).isEqualTo(2);
        assertThat(badParam.err()).contains("widht").contains("width");
    }

    @Test
    void missingInputIsNamed(@TempDir Path out) {
        Run run = sluice("invoke", "thumbnail", "--param", "width=64", "no-such-file.jpg", "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no-such-file.jpg");
    }

    @Test
    void functionsListsBuiltInFunctionsWithParameters() {
        Run run = sluice("functions");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("thumbnail").contains("width").contains("max-pixels");
    }

    @Test
    void configCheckAcceptsTheDemoAndRejectsABadConfig(@TempDir Path dir) throws Exception {
        assertThat(sluice("config", "check").exitCode()).isZero();
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                pipelines:
                  - name: p
                    match: { bucket: uploads }
                    steps:
                      - function: thumbnail
                        params: { width: "wide" }
                        output: s3://thumbnails/{name}-{width}.{ext}
                """);
        Run run = sluice("config", "check", "--config", bad.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("width").contains("wide");
    }

    @Test
    void aChainFeedsTheOutputsOfOneFunctionToTheNext(@TempDir Path out) throws Exception {
        Path pdf = CORPORA.resolve("pdf-text/py-pdf/minimal-document.pdf");
        Run run = sluice("invoke", "pdf-render|thumbnail", "--param", "pdf-render.pages=1",
                "--param", "thumbnail.width=64", pdf.toString(), "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (var files = Files.list(out)) {
            List<Path> outputs = files.toList();
            assertThat(outputs).hasSize(1);
            assertThat(ImageIO.read(outputs.get(0).toFile()).getWidth()).isEqualTo(64);
        }
        assertThat(run.out()).contains("through pdf-render|thumbnail: 1 output(s), 0 failure(s)");
    }

    @Test
    void anAmbiguousParameterInAChainAsksWhichFunctionItIsFor(@TempDir Path out) {
        Path pdf = CORPORA.resolve("pdf-text/py-pdf/minimal-document.pdf");
        Run run = sluice("invoke", "pdf-render|thumbnail", "--param", "width=64", pdf.toString(),
                "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("thumbnail.width=64");
    }

    @Test
    void retryOfAnUnknownRunSaysWhatARunIdLooksLike(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("sluice.yaml"), "embedded: { port: 0, dataDir: data }\n");
        Run run = sluice("retry", "no-such-run", "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not a run id");
    }
}
