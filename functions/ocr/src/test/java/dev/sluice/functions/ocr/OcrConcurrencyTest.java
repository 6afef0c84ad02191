package dev.sluice.functions.ocr;

import static dev.sluice.functions.ocr.OcrTesting.corpus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many invocations at once give exactly what one at a time gives: engines are never shared between threads, and
 * pooled, recycled or restarted engines recognise the same as fresh ones.
 */
class OcrConcurrencyTest {
    @TempDir
    Path temp;

    @Test
    void manyInvocationsAtOnceGiveTheSameResultsAsOneAtATime() throws Exception {
        Path pdf = temp.resolve("scan.pdf");
        OcrAccuracyTest.writeImagePdf(pdf, corpus("tesseract/phototest.tif"), corpus("tika/testOCR.png"));
        List<Path> sources = List.of(corpus("tesseract/phototest.tif"),
                corpus("tesseract/phototest-rotated-L.png"), corpus("tesseract/phototest-rotated-180.png"),
                corpus("tika/testOCR.jpg"), corpus("tika/testOCR.png"), corpus("tika/testOCR_spacing.png"),
                corpus("tika/testTIFF_multipage.tif"), pdf);
        // each file twice in the concurrent run; every input gets a name of its own so outputs do not collide
        Path inputs = Files.createDirectories(temp.resolve("inputs"));
        List<Path> files = new ArrayList<>();
        List<Path> twice = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Path file = Files.copy(sources.get(i), inputs.resolve(i + "-" + sources.get(i).getFileName()));
            files.add(file);
            twice.add(file);
            twice.add(Files.copy(file, inputs.resolve("copy-" + file.getFileName())));
        }

        Map<String, String> sequential = run(files, 1, temp.resolve("sequential"));
        Map<String, String> concurrent = run(twice, 8, temp.resolve("concurrent"));

        assertThat(sequential.keySet()).hasSize(files.size() * 2);
        assertThat(concurrent.keySet()).hasSize(files.size() * 4);
        for (Map.Entry<String, String> output : sequential.entrySet()) {
            assertThat(concurrent.get(output.getKey()).equals(output.getValue())).as(output.getKey()).isTrue();
            // the JSON names its source, the copy's name
            String copy = concurrent.get("copy-" + output.getKey()).replace("\"source\":\"copy-", "\"source\":\"");
            assertThat(copy.equals(output.getValue()))
                    .as("copy-" + output.getKey()).isTrue();
        }
    }

    @Test
    void prepareLoadsTheLibrarySoTheFirstDocumentWaitsOnlyForItsEngines() throws Exception {
        try (OcrFunction ocr = new OcrFunction()) {
            ocr.prepare();
            OcrFunction.Stats prepared = ocr.stats();
            assertThat(prepared.library()).contains("libtesseract");
            assertThat(prepared.liveEngines()).isZero();
            ocr.prepare(); // again: nothing more

            assertThat(text(ocr, corpus("tesseract/phototest.tif"), temp.resolve("p"))).contains("quick brown");
            OcrFunction.Stats afterFirst = ocr.stats();
            assertThat(afterFirst.libraryLoad()).isEqualTo(prepared.libraryLoad());
            // the library load is not the first document's: its cold start is the engine start alone
            assertThat(afterFirst.firstCallColdStart()).isNotNull().isPositive()
                    .isLessThanOrEqualTo(afterFirst.engineStartTime().plusMillis(1));
        }
    }

    @Test
    void enginesAreRecycledAfterTheirUsesAndReleasedWhenIdle() throws Exception {
        try (OcrFunction ocr = new OcrFunction()) {
            Path image = corpus("tesseract/phototest.tif");
            assertThat(ocr.stats().liveEngines()).isZero();

            String first = text(ocr, image, temp.resolve("a"), "engine-max-uses=1");
            OcrFunction.Stats afterFirst = ocr.stats();
            assertThat(afterFirst.firstCallColdStart()).isNotNull().isPositive();
            assertThat(afterFirst.library()).contains("libtesseract");

            // one use each: the engine is replaced, and the new one reads the same
            assertThat(text(ocr, image, temp.resolve("b"), "engine-max-uses=1")).isEqualTo(first);
            assertThat(ocr.stats().enginesStarted()).isGreaterThan(afterFirst.enginesStarted());

            assertThat(text(ocr, image, temp.resolve("c"))).isEqualTo(first);
            assertThat(ocr.stats().liveEngines()).isPositive();
            ocr.releaseIdleEngines();
            assertThat(ocr.stats().liveEngines()).as("scaled to zero").isZero();

            int started = ocr.stats().enginesStarted();
            assertThat(text(ocr, image, temp.resolve("d"))).isEqualTo(first);
            assertThat(ocr.stats().enginesStarted()).as("a cold start after idle").isGreaterThan(started);
        }
    }

    @Test
    void idleEnginesAreClosedAfterTheIdleTimeout() throws Exception {
        try (OcrFunction ocr = new OcrFunction()) {
            text(ocr, corpus("tika/testOCR.jpg"), temp, "engine-idle-timeout=1");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (ocr.stats().liveEngines() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(ocr.stats().liveEngines()).isZero();
        }
    }

    private static String text(OcrFunction ocr, Path input, Path out, String... params) throws Exception {
        var result = LocalInvoker.invoke(ocr, Parameters.of(ocr, OcrTesting.params(params)), List.of(input), out, 1,
                Duration.ofMinutes(1), r -> { }).get(0);
        assertThat(result.error()).isNull();
        return Files.readString(OcrTesting.output(result, "txt"));
    }

    /** Output file name to content, for text and JSON outputs. */
    private static Map<String, String> run(List<Path> inputs, int parallelism, Path out) throws Exception {
        List<LocalInvoker.Result> results = LocalInvoker.invoke(OcrTesting.OCR,
                Parameters.of(OcrTesting.OCR, Map.of("format", "text,json")), inputs, out, parallelism,
                Duration.ofMinutes(2), r -> { });
        Map<String, String> outputs = new TreeMap<>();
        for (LocalInvoker.Result result : results) {
            assertThat(result.error()).as(result.input().toString()).isNull();
            for (Path output : result.outputs()) {
                outputs.put(output.getFileName().toString(), Files.readString(output));
            }
        }
        return outputs;
    }
}
