package dev.sluice.functions.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.FunctionRunner;
import dev.sluice.core.exec.LocalInput;
import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.Parameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared by the OCR tests: one warm function for the whole test JVM, corpus paths, and the error-rate metric. */
final class OcrTesting {
    /** One instance for every test class, as in a server: engines stay warm between tests. */
    static final OcrFunction OCR = new OcrFunction();

    private OcrTesting() {
    }

    static Path corpus(String relative) {
        return corpus("ocr", relative);
    }

    /** A file in one of the shared corpora's folders, e.g. {@code exif-orientation}. */
    static Path corpus(String folder, String relative) {
        Path path = Path.of(System.getProperty("sluice.corpora", "../../../shared/corpora"), folder, relative);
        assertThat(path).as("test corpus file (see shared/corpora/MANIFEST.md)").exists();
        return path;
    }

    static String groundTruth(String relative) throws IOException {
        return Files.readString(corpus(relative), StandardCharsets.UTF_8);
    }

    static Map<String, String> params(String... assignments) {
        Map<String, String> map = new LinkedHashMap<>();
        map.putAll(Parameters.parseAssignments(List.of(assignments)));
        return map;
    }

    /** Runs {@code ocr} on one file through {@link LocalInvoker}; fails the test with the error when it failed. */
    static LocalInvoker.Result invoke(Path input, Path outDir, String... params) throws InterruptedException {
        List<LocalInvoker.Result> results = LocalInvoker.invoke(OCR, Parameters.of(OCR, params(params)),
                List.of(input), outDir, 1, Duration.ofMinutes(2), r -> { });
        LocalInvoker.Result result = results.get(0);
        assertThat(result.error()).as("error of ocr on " + input.getFileName()).isNull();
        return result;
    }

    static Path output(LocalInvoker.Result result, String extension) {
        return result.outputs().stream().filter(p -> p.toString().endsWith("." + extension)).findFirst()
                .orElseThrow(() -> new AssertionError("no ." + extension + " output in " + result.outputs()));
    }

    /** Runs the function directly, so that a test sees the exception it throws. Returns outputs by extension. */
    static Map<String, byte[]> apply(Path input, String... params) throws Exception {
        Map<String, byte[]> outputs = new LinkedHashMap<>();
        Outputs sink = spec -> new ByteArrayOutputStream() {
            @Override
            public void close() {
                outputs.put(spec.extension(), toByteArray());
            }
        };
        try (FunctionRunner runner = new FunctionRunner()) {
            runner.run(OCR, new LocalInput(input), Parameters.of(OCR, params(params)), sink, Duration.ofMinutes(2));
        }
        return outputs;
    }

    /** Character error rate in percent: edit distance over the truth's length, whitespace collapsed. */
    static double cer(String truth, String text) {
        String a = normalize(truth);
        String b = normalize(text);
        return a.isEmpty() ? (b.isEmpty() ? 0 : 100) : 100.0 * distance(a, b) / a.length();
    }

    static String normalize(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
