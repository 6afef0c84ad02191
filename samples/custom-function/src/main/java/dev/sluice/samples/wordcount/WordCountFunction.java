package dev.sluice.samples.wordcount;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.SluiceFunction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An example of a user's own function: counts the words of a text file and writes a JSON summary with the most
 * frequent ones. Build the jar, drop it into the plugins folder named in the config, and use
 * {@code function: word-count} in a pipeline.
 */
public final class WordCountFunction implements SluiceFunction {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "word-count";
    }

    @Override
    public String description() {
        return "Counts the words of a text file; writes {name}-words.json with the most frequent ones.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("top", ParameterType.INT, "10", "How many of the most frequent words to list."),
                ParameterSpec.of("max-bytes", ParameterType.INT, "50000000", "Larger inputs are refused."));
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        long maxBytes = invocation.parameters().getInt("max-bytes");
        if (invocation.input().size() > maxBytes) {
            throw new LimitExceededException(invocation.input().key() + " has " + invocation.input().size()
                    + " bytes, more than max-bytes=" + maxBytes + "; raise the parameter to count it.");
        }
        Map<String, Integer> counts = new TreeMap<>();
        long words = 0;
        long lines = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(invocation.input().openStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines++;
                for (String word : line.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
                    if (!word.isEmpty()) {
                        words++;
                        counts.merge(word, 1, Integer::sum);
                    }
                }
                if (lines % 10_000 == 0) {
                    invocation.checkDeadline();
                }
            }
        }
        ObjectNode result = JSON.createObjectNode();
        result.put("input", invocation.input().key());
        result.put("lines", lines);
        result.put("words", words);
        result.put("distinctWords", counts.size());
        ObjectNode top = result.putObject("top");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(invocation.parameters().getInt("top"))
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        invocation.outputs().write(OutputSpec.of("-words", "json", "application/json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
    }
}
