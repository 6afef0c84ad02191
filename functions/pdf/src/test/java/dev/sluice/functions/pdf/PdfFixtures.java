package dev.sluice.functions.pdf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared test plumbing: the third-party corpora, running a function on a local file, word-level F1. */
final class PdfFixtures {
    private static final Pattern WORD = Pattern.compile("[^\\W_]+", Pattern.UNICODE_CHARACTER_CLASS);

    private PdfFixtures() {
    }

    /** A file in ../shared/corpora (located through the {@code sluice.corpora} property set by the root pom). */
    static Path corpus(String relative) {
        Path root = Path.of(System.getProperty("sluice.corpora", "../../../shared/corpora"));
        Path file = root.resolve(relative);
        assertThat(file).as("corpus file (is -Dsluice.corpora set?)").exists();
        return file;
    }

    static Path pdfText(String relative) {
        return corpus("pdf-text/" + relative);
    }

    /** Runs {@code function} on one local file; {@code params} alternate name and value. */
    static LocalInvoker.Result run(SluiceFunction function, Path input, Path outDir, String... params)
            throws InterruptedException {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return LocalInvoker.invoke(function, Parameters.of(function, map), List.of(input), outDir, 1,
                Duration.ofMinutes(2), result -> { }).get(0);
    }

    static LocalInvoker.Result runOk(SluiceFunction function, Path input, Path outDir, String... params)
            throws InterruptedException {
        LocalInvoker.Result result = run(function, input, outDir, params);
        assertThat(result.error()).as("error for %s", input.getFileName()).isNull();
        return result;
    }

    static String read(Path file) throws java.io.IOException {
        return Files.readString(file);
    }

    /** Word-level F1 of {@code extracted} against {@code truth}: NFKC, lower case, words as multisets. */
    static double wordF1(String extracted, String truth) {
        Map<String, Integer> got = words(extracted);
        Map<String, Integer> want = words(truth);
        int common = 0;
        for (Map.Entry<String, Integer> entry : got.entrySet()) {
            common += Math.min(entry.getValue(), want.getOrDefault(entry.getKey(), 0));
        }
        int gotTotal = got.values().stream().mapToInt(Integer::intValue).sum();
        int wantTotal = want.values().stream().mapToInt(Integer::intValue).sum();
        return gotTotal + wantTotal == 0 ? 1.0 : 2.0 * common / (gotTotal + wantTotal);
    }

    private static Map<String, Integer> words(String text) {
        Map<String, Integer> counts = new HashMap<>();
        Matcher matcher = WORD.matcher(Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            counts.merge(matcher.group(), 1, Integer::sum);
        }
        return counts;
    }
}
