package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.event.EventType;
import dev.sluice.core.pipeline.Match;
import dev.sluice.core.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The MinIO bucket event rules ({@code mc event add}) that announce every event the pipelines match.
 *
 * <p>A MinIO rule has one prefix and one suffix, so a match with several suffixes becomes several rules, and a
 * glob narrows to its fixed prefix (and its literal ending when there is no suffix list). Rules may announce more
 * than a pipeline takes (content types, the rest of a glob): Sluice matches every event again. They must never
 * announce less, hence two more rules for every suffix: Sluice compares suffixes ignoring case, MinIO exactly, so
 * {@code .jpg} also becomes {@code .JPG} (mixed case such as {@code .Jpg} is only caught without suffix rules).
 *
 * <p>MinIO refuses a rule equal to one the bucket has (same filter, same events; mc then reports "overlapping
 * prefixes, overlapping suffixes ..."), and an object matching several rules of one target is still announced
 * once. So rules with the same filter are merged (their events joined) and rules that a broader rule covers are
 * dropped: the result is the smallest set, and one that MinIO accepts.
 */
final class MinioEventRules {

    private MinioEventRules() {
    }

    /**
     * One {@code mc event add}: the events on keys of {@code bucket} that start with {@code prefix} and end with
     * {@code suffix} (empty: any).
     *
     * @param pipelines the pipelines it announces events for
     */
    record Rule(String bucket, String prefix, String suffix, Set<EventType> events, List<String> pipelines) {
        Rule {
            events = Set.copyOf(events);
            pipelines = List.copyOf(pipelines);
        }

        /** mc's names of the events, e.g. {@code put,delete}. */
        String mcEvents() {
            List<String> names = new ArrayList<>();
            if (events.contains(EventType.CREATED)) {
                names.add("put");
            }
            if (events.contains(EventType.REMOVED)) {
                names.add("delete");
            }
            return String.join(",", names);
        }

        /** Whether MinIO announces this event under this rule (its prefix and suffix compared exactly). */
        boolean announces(String eventBucket, String key, EventType type) {
            return bucket.equals(eventBucket) && events.contains(type) && key.startsWith(prefix)
                    && key.endsWith(suffix);
        }

        /** Whether every event this rule would announce, {@code other} announces too. */
        boolean coveredBy(Rule other) {
            return other.bucket.equals(bucket) && other.events.containsAll(events) && prefix.startsWith(other.prefix)
                    && suffix.endsWith(other.suffix);
        }
    }

    /**
     * The rules, bucket by bucket in the order the pipelines name them.
     *
     * @param why   how the rules were made, for the script's comments
     * @param notes what the rules cannot express, for the script's comments
     */
    record Result(List<Rule> rules, List<String> why, List<String> notes) {
        Result {
            rules = List.copyOf(rules);
            why = List.copyOf(why);
            notes = List.copyOf(notes);
        }
    }

    /**
     * The rules for {@code pipelines}.
     *
     * @param suffixRules one rule per suffix (and its upper and lower case); {@code false}: prefixes only, MinIO
     *                    announces every key under them and Sluice picks (catches mixed-case suffixes too)
     */
    static Result of(List<Pipeline> pipelines, boolean suffixRules) {
        Map<String, RuleBuilder> byFilter = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (Pipeline pipeline : pipelines) {
            Match match = pipeline.match();
            if (match.bucket() == null) {
                throw new ConfigException("Pipeline '" + pipeline.name() + "' takes events from any bucket, but MinIO "
                        + "sets up events bucket by bucket: name its bucket in match.bucket (one pipeline per bucket).");
            }
            Set<EventType> events = EnumSet.noneOf(EventType.class);
            for (EventType type : match.events()) {
                if (type == EventType.OTHER) {
                    notes.add("Pipeline '" + pipeline.name() + "' also takes 'other' events (neither created nor "
                            + "removed); no rule is added for them: add one by hand with mc event add --event ...");
                } else {
                    events.add(type);
                }
            }
            if (events.isEmpty()) {
                continue;
            }
            String prefix = prefix(pipeline, notes);
            for (String suffix : suffixRules ? suffixes(match) : List.of("")) {
                byFilter.computeIfAbsent(match.bucket() + '\n' + prefix + '\n' + suffix,
                                k -> new RuleBuilder(match.bucket(), prefix, suffix))
                        .add(events, pipeline.name());
            }
        }
        List<String> why = List.of(
                "Bucket event rules: MinIO takes one prefix and one suffix per rule"
                        + (suffixRules ? " and compares suffixes exactly, so each suffix comes as written, in lower "
                        + "and in upper case; mixed case such as .Jpg is not announced (--no-suffix-filter announces "
                        + "every key)."
                        : "; without suffix rules (--no-suffix-filter) it announces every key under the prefixes."),
                "Sluice checks the rest of each match (suffixes, content type, the whole glob) on every event.");
        return new Result(withoutCoveredRules(byFilter.values()), why, notes);
    }

    /** The match's prefix, narrowed by the fixed start of its glob. */
    private static String prefix(Pipeline pipeline, List<String> notes) {
        Match match = pipeline.match();
        String prefix = match.prefix();
        if (match.glob() == null) {
            return prefix;
        }
        String fixed = match.glob().substring(0, firstWildcard(match.glob()));
        if (fixed.startsWith(prefix)) {
            return fixed;
        }
        if (!prefix.startsWith(fixed)) {
            notes.add("Pipeline '" + pipeline.name() + "': no key starts with both its prefix '" + prefix
                    + "' and its glob '" + match.glob() + "', so it never runs; the rule uses the prefix.");
        }
        return prefix;
    }

    /**
     * Each suffix as written, in lower case and in upper case; without a suffix list, the literal ending of the
     * glob (globs are compared exactly); else none.
     */
    private static List<String> suffixes(Match match) {
        if (!match.suffixes().isEmpty()) {
            Set<String> variants = new LinkedHashSet<>();
            for (String suffix : match.suffixes()) {
                variants.add(suffix);
                variants.add(suffix.toLowerCase(Locale.ROOT));
                variants.add(suffix.toUpperCase(Locale.ROOT));
            }
            return List.copyOf(variants);
        }
        if (match.glob() != null) {
            String glob = match.glob();
            int last = Math.max(Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?')),
                    Math.max(glob.lastIndexOf('{'), glob.lastIndexOf('}')));
            if (last < 0) {
                return List.of(""); // no wildcard: the prefix is the whole key
            }
            boolean optionalFolders = glob.startsWith("**/", last - 1); // "**/x" also matches "x"
            return List.of(glob.substring(last + (optionalFolders ? 2 : 1)));
        }
        return List.of("");
    }

    private static int firstWildcard(String glob) {
        for (int i = 0; i < glob.length(); i++) {
            if ("*?{".indexOf(glob.charAt(i)) >= 0) {
                return i;
            }
        }
        return glob.length();
    }

    /**
     * Drops every rule that another rule covers, handing its pipelines to the broader rule. Covering is transitive
     * and no two rules share a filter, so every dropped rule has a broader rule that is kept.
     */
    private static List<Rule> withoutCoveredRules(Iterable<RuleBuilder> builders) {
        List<Rule> all = new ArrayList<>();
        builders.forEach(b -> all.add(b.build()));
        List<Rule> kept = new ArrayList<>();
        for (Rule rule : all) {
            if (all.stream().noneMatch(other -> other != rule && rule.coveredBy(other))) {
                kept.add(rule);
            }
        }
        Map<Rule, Set<String>> pipelines = new LinkedHashMap<>();
        kept.forEach(rule -> pipelines.put(rule, new LinkedHashSet<>(rule.pipelines())));
        for (Rule rule : all) {
            if (!pipelines.containsKey(rule)) {
                Rule broader = kept.stream().filter(rule::coveredBy).findFirst().orElseThrow();
                pipelines.get(broader).addAll(rule.pipelines());
            }
        }
        List<Rule> result = new ArrayList<>();
        pipelines.forEach((rule, names) -> result.add(
                new Rule(rule.bucket(), rule.prefix(), rule.suffix(), rule.events(), List.copyOf(names))));
        return result;
    }

    /** Collects the events and pipelines of one filter. */
    private static final class RuleBuilder {
        private final String bucket;
        private final String prefix;
        private final String suffix;
        private final Set<EventType> events = EnumSet.noneOf(EventType.class);
        private final Set<String> pipelines = new LinkedHashSet<>();

        RuleBuilder(String bucket, String prefix, String suffix) {
            this.bucket = bucket;
            this.prefix = prefix;
            this.suffix = suffix;
        }

        void add(Set<EventType> moreEvents, String pipeline) {
            events.addAll(moreEvents);
            pipelines.add(pipeline);
        }

        Rule build() {
            return new Rule(bucket, prefix, suffix, events, List.copyOf(pipelines));
        }
    }
}
