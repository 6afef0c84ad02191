package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.pipeline.Match;
import dev.sluice.core.pipeline.OutputTemplate;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bucket event rules: MinIO must announce every event a pipeline matches (else work is silently lost), with
 * as few rules as that takes and none that MinIO would refuse as a duplicate.
 */
class MinioEventRulesTest {
    static final Path SAMPLES = Path.of("../samples");

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyKeyASamplePipelineTakesIsAnnounced(Path sample) {
        List<Pipeline> pipelines = new ConfigLoader(name -> null).load(sample).pipelines();
        MinioEventRules.Result result = MinioEventRules.of(pipelines, true);

        assertThat(pipelines).isNotEmpty();
        for (Pipeline pipeline : pipelines) {
            Match match = pipeline.match();
            assertThat(match.suffixes()).isNotEmpty(); // every sample filters by suffix
            for (String suffix : match.suffixes()) {
                for (String key : List.of("a" + suffix, "2024/trip/IMG_0001" + suffix.toUpperCase(),
                        "x/y" + suffix.toLowerCase(), match.prefix() + "deep/er/name" + suffix)) {
                    assertThat(matches(match, key, EventType.CREATED)).as(key).isTrue();
                    assertThat(announced(result, match.bucket(), key, EventType.CREATED))
                            .as("%s: %s/%s", sample, match.bucket(), key).isTrue();
                }
            }
            // rules are exact: other files and deletions are not announced, and every rule names the pipeline
            assertThat(announced(result, match.bucket(), "notes.unknown-extension", EventType.CREATED)).isFalse();
            assertThat(announced(result, match.bucket(), "a" + match.suffixes().get(0), EventType.REMOVED)).isFalse();
        }
        assertThat(result.rules()).allSatisfy(rule -> {
            assertThat(rule.mcEvents()).isEqualTo("put");
            assertThat(rule.pipelines()).isNotEmpty();
        });
        assertThat(result.notes()).isEmpty();
    }

    @Test
    void thumbnailsSampleGetsOneRulePerSuffixInEachCase() {
        List<Pipeline> pipelines = new ConfigLoader(name -> null).load(SAMPLES.resolve("thumbnails.yaml")).pipelines();

        List<String> suffixes = MinioEventRules.of(pipelines, true).rules().stream()
                .map(MinioEventRules.Rule::suffix).toList();

        assertThat(suffixes).containsExactly(".jpg", ".JPG", ".jpeg", ".JPEG", ".png", ".PNG", ".gif", ".GIF",
                ".bmp", ".BMP", ".tif", ".TIF", ".tiff", ".TIFF", ".webp", ".WEBP");
    }

    @Test
    void severalSuffixesBecomeSeveralRulesWithThePrefix() {
        MinioEventRules.Result result = MinioEventRules.of(List.of(
                pipeline("scans", match("docs", "in/", List.of(".pdf", ".Tif"), null, null))), true);

        assertThat(result.rules()).extracting(MinioEventRules.Rule::prefix).containsOnly("in/");
        assertThat(result.rules()).extracting(MinioEventRules.Rule::suffix)
                .containsExactly(".pdf", ".PDF", ".Tif", ".tif", ".TIF");
    }

    @Test
    void aGlobNarrowsToItsFixedPrefixAndLiteralEnding() {
        assertThat(only(match("b", "", List.of(), "camera/**/*.jpg", null))).isEqualTo(rule("camera/", ".jpg"));
        assertThat(only(match("b", "", List.of(), "photos/20??/*.{jpg,png}", null))).isEqualTo(rule("photos/20", ""));
        assertThat(only(match("b", "", List.of(), "**/raw.bin", null))).isEqualTo(rule("", "raw.bin"));
        assertThat(only(match("b", "", List.of(), "exact/key.txt", null))).isEqualTo(rule("exact/key.txt", ""));
        // the longer of prefix and the glob's fixed part; suffixes win over the glob's ending (case variants)
        assertThat(only(match("b", "camera/2024/", List.of(), "camera/**/*.jpg", null)))
                .isEqualTo(rule("camera/2024/", ".jpg"));
        assertThat(MinioEventRules.of(List.of(pipeline("p", match("b", "", List.of(".raw"), "in/*.raw", null))), true)
                .rules()).extracting(MinioEventRules.Rule::prefix, MinioEventRules.Rule::suffix)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("in/", ".raw"),
                        org.assertj.core.groups.Tuple.tuple("in/", ".RAW"));
    }

    @Test
    void aGlobAndPrefixThatExcludeEachOtherAreNoted() {
        MinioEventRules.Result result = MinioEventRules.of(List.of(
                pipeline("never", match("b", "a/", List.of(), "b/*.txt", null))), true);

        assertThat(result.rules()).extracting(MinioEventRules.Rule::prefix).containsExactly("a/");
        assertThat(result.notes()).singleElement().asString().contains("'never'").contains("never runs");
    }

    @Test
    void pipelinesOnOneBucketShareRulesAndBroaderRulesCoverNarrowerOnes() {
        MinioEventRules.Result result = MinioEventRules.of(List.of(
                pipeline("all-jpg", match("photos", "", List.of(".jpg"), null, null)),
                pipeline("camera-jpg", match("photos", "camera/", List.of(".jpg"), null, null)),
                pipeline("same-jpg", match("photos", "", List.of(".JPG"), null, null)),
                pipeline("archives", match("photos", "", List.of(".gz"), null, null)),
                pipeline("tarballs", match("photos", "", List.of(".tar.gz"), null, null)),
                pipeline("elsewhere", match("other", "", List.of(".jpg"), null, null))), true);

        assertThat(result.rules()).extracting(MinioEventRules.Rule::bucket, MinioEventRules.Rule::prefix,
                MinioEventRules.Rule::suffix).containsExactly(
                org.assertj.core.groups.Tuple.tuple("photos", "", ".jpg"),
                org.assertj.core.groups.Tuple.tuple("photos", "", ".JPG"),
                org.assertj.core.groups.Tuple.tuple("photos", "", ".gz"),
                org.assertj.core.groups.Tuple.tuple("photos", "", ".GZ"),
                org.assertj.core.groups.Tuple.tuple("other", "", ".jpg"),
                org.assertj.core.groups.Tuple.tuple("other", "", ".JPG"));
        assertThat(result.rules().get(0).pipelines()).containsExactly("all-jpg", "same-jpg", "camera-jpg");
        assertThat(result.rules().get(2).pipelines()).containsExactly("archives", "tarballs");
    }

    @Test
    void aWholeBucketRuleCoversEverySuffixRuleWithTheSameEvents() {
        MinioEventRules.Result result = MinioEventRules.of(List.of(
                pipeline("jpg", match("b", "", List.of(".jpg"), null, null)),
                pipeline("everything", match("b", "", List.of(), null, null))), true);

        assertThat(result.rules()).singleElement().satisfies(rule -> {
            assertThat(rule.prefix()).isEmpty();
            assertThat(rule.suffix()).isEmpty();
            assertThat(rule.pipelines()).containsExactly("everything", "jpg");
        });
    }

    @Test
    void deleteEventsJoinPutsOnTheSameFilterButNeverWidenAnotherRule() {
        MinioEventRules.Result result = MinioEventRules.of(List.of(
                pipeline("make", match("b", "", List.of(".jpg"), null, Set.of(EventType.CREATED))),
                pipeline("clean", match("b", "", List.of(".jpg"), null, Set.of(EventType.REMOVED))),
                pipeline("all", match("b", "", List.of(), null, Set.of(EventType.CREATED)))), true);

        // the whole-bucket put rule does not cover deletions of .jpg keys, so those rules stay, with put,delete
        assertThat(result.rules()).extracting(MinioEventRules.Rule::suffix, MinioEventRules.Rule::mcEvents)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(".jpg", "put,delete"),
                        org.assertj.core.groups.Tuple.tuple(".JPG", "put,delete"),
                        org.assertj.core.groups.Tuple.tuple("", "put"));
    }

    @Test
    void otherEventsAreNotedAndABucketIsRequired() {
        MinioEventRules.Result other = MinioEventRules.of(List.of(
                pipeline("odd", match("b", "", List.of(), null, Set.of(EventType.OTHER)))), true);
        assertThat(other.rules()).isEmpty();
        assertThat(other.notes()).singleElement().asString().contains("'odd'").contains("'other' events");

        assertThatThrownBy(() -> MinioEventRules.of(List.of(pipeline("anywhere", match(null, "", List.of(), null,
                null))), true))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Pipeline 'anywhere' takes events from any bucket")
                .hasMessageContaining("match.bucket");
    }

    @Test
    void mixedCaseSuffixesAreOnlyAnnouncedWithoutSuffixRules() {
        List<Pipeline> pipelines = List.of(pipeline("p", match("b", "in/", List.of(".jpg"), null, null)));

        MinioEventRules.Result exact = MinioEventRules.of(pipelines, true);
        MinioEventRules.Result all = MinioEventRules.of(pipelines, false);

        assertThat(matches(pipelines.get(0).match(), "in/a.Jpg", EventType.CREATED)).isTrue();
        assertThat(announced(exact, "b", "in/a.Jpg", EventType.CREATED)).isFalse(); // the documented gap
        assertThat(announced(all, "b", "in/a.Jpg", EventType.CREATED)).isTrue();
        assertThat(all.rules()).singleElement().isEqualTo(
                new MinioEventRules.Rule("b", "in/", "", Set.of(EventType.CREATED), List.of("p")));
    }

    /**
     * Random matches on two buckets and random keys: whatever a pipeline takes (with its suffix as written, in lower
     * or in upper case) some rule announces; no two rules share a filter; no kept rule is covered by another.
     */
    @Test
    void randomMatchesLoseNoEvent() {
        Random random = new Random(7);
        String[] prefixes = {"", "", "a", "a/", "a/b", "B/"};
        List<List<String>> suffixLists = List.of(List.of(), List.of(".jpg"), List.of(".JPG", ".png"),
                List.of(".gz", ".tar.gz"), List.of("b", "ab"), List.of(""));
        String[] globParts = {"a/", "*", "**/", "?", ".jpg", "{x,y}", "b", "/", ".gz"};
        String[] keyParts = {"a", "b", "/", ".", "x", "A", "jpg", ".jpg", ".JPG", ".gz", ".tar", "B/", "y"};
        List<Set<EventType>> eventSets = List.of(Set.of(EventType.CREATED), Set.of(EventType.REMOVED),
                Set.of(EventType.CREATED, EventType.REMOVED), Set.of());
        int checked = 0;
        for (int round = 0; round < 400; round++) {
            List<Pipeline> pipelines = new ArrayList<>();
            int count = 1 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                String glob = null;
                if (random.nextInt(3) == 0) {
                    StringBuilder g = new StringBuilder();
                    for (int j = random.nextInt(4); j >= 0; j--) {
                        g.append(globParts[random.nextInt(globParts.length)]);
                    }
                    glob = g.toString();
                }
                pipelines.add(pipeline("p" + i, match(random.nextBoolean() ? "b1" : "b2",
                        prefixes[random.nextInt(prefixes.length)], suffixLists.get(random.nextInt(suffixLists.size())),
                        glob, eventSets.get(random.nextInt(eventSets.size())))));
            }
            MinioEventRules.Result result = MinioEventRules.of(pipelines, true);
            MinioEventRules.Result withoutSuffixes = MinioEventRules.of(pipelines, false);
            for (MinioEventRules.Result r : List.of(result, withoutSuffixes)) {
                assertThat(r.rules()).extracting(rule -> rule.bucket() + "|" + rule.prefix() + "|" + rule.suffix())
                        .doesNotHaveDuplicates();
                for (MinioEventRules.Rule rule : r.rules()) {
                    assertThat(r.rules()).noneMatch(other -> other != rule && rule.coveredBy(other));
                }
            }
            for (int k = 0; k < 60; k++) {
                StringBuilder key = new StringBuilder();
                for (int j = random.nextInt(6); j >= 0; j--) {
                    key.append(keyParts[random.nextInt(keyParts.length)]);
                }
                for (Pipeline pipeline : pipelines) {
                    for (EventType type : EnumSet.of(EventType.CREATED, EventType.REMOVED)) {
                        String bucket = pipeline.match().bucket();
                        if (!matches(pipeline.match(), key.toString(), type)) {
                            continue;
                        }
                        checked++;
                        assertThat(announced(withoutSuffixes, bucket, key.toString(), type))
                                .as("%s %s %s without suffix rules", pipelines, key, type).isTrue();
                        if (suffixInScope(pipeline.match(), key.toString())) {
                            assertThat(announced(result, bucket, key.toString(), type))
                                    .as("%s %s %s", pipelines, key, type).isTrue();
                        }
                    }
                }
            }
        }
        assertThat(checked).as("matched keys checked").isGreaterThan(1000);
    }

    /** The key ends with one of the match's suffixes as written, in lower or in upper case (or it has none). */
    private static boolean suffixInScope(Match match, String key) {
        return match.suffixes().isEmpty() || match.suffixes().stream().anyMatch(s -> key.endsWith(s)
                || key.endsWith(s.toLowerCase()) || key.endsWith(s.toUpperCase()));
    }

    static boolean matches(Match match, String key, EventType type) {
        return match.matchesLocation(new ObjectEvent(match.bucket() == null ? "b" : match.bucket(), key, 1, "e",
                null, type, type == EventType.CREATED ? "ObjectCreated:Put" : "ObjectRemoved:Delete", Instant.now(),
                null, null, Map.of()));
    }

    static boolean announced(MinioEventRules.Result result, String bucket, String key, EventType type) {
        return result.rules().stream().anyMatch(rule -> rule.announces(bucket, key, type));
    }

    private static MinioEventRules.Rule only(Match match) {
        List<MinioEventRules.Rule> rules = MinioEventRules.of(List.of(pipeline("p", match)), true).rules();
        assertThat(rules).hasSize(1);
        return rules.get(0);
    }

    private static MinioEventRules.Rule rule(String prefix, String suffix) {
        return new MinioEventRules.Rule("b", prefix, suffix, Set.of(EventType.CREATED), List.of("p"));
    }

    static Match match(String bucket, String prefix, List<String> suffixes, String glob, Set<EventType> events) {
        return new Match(bucket, prefix, suffixes, glob, List.of(), events);
    }

    static Pipeline pipeline(String name, Match match) {
        return new Pipeline(name, match, List.of(new Step("s", "thumbnail", Map.of(),
                OutputTemplate.parse("s3://out/{dir}/{name}.{ext}"), List.of())));
    }
}
