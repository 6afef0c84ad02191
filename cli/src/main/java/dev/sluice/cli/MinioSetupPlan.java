package dev.sluice.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code sluice minio setup} does to a MinIO server, as mc commands: the buckets, the notification target, a
 * restart, and the bucket event rules. {@link #script()} prints them as a shell script; {@code --apply} runs them.
 *
 * @param source  what the plan was made from (the config file), for the script's header
 * @param alias   mc's alias of the MinIO server
 * @param aliasHint the {@code mc alias set ...} line for the config's store, for the header
 * @param actions the mc commands, in order
 * @param notes   what the plan could not do, for the header
 */
record MinioSetupPlan(String source, String alias, String aliasHint, List<Action> actions, List<String> notes) {

    /** Width of the script's comments. */
    private static final int WIDTH = 110;

    MinioSetupPlan {
        actions = List.copyOf(actions);
        notes = List.copyOf(notes);
    }

    /**
     * One mc command.
     *
     * @param why      comment lines saying why it is there (empty: none)
     * @param args     the arguments after {@code mc}
     * @param wrapFrom in the script, each argument from this index on starts a continued line; -1: one line
     * @param ifFails  what to check when it fails
     */
    record Action(List<String> why, List<ShellWord> args, int wrapFrom, String ifFails) {
        Action {
            why = List.copyOf(why);
            args = List.copyOf(args);
        }

        /** The command as the script writes it, secrets as variables: safe to show. */
        String shell() {
            StringBuilder line = new StringBuilder("mc");
            for (int i = 0; i < args.size(); i++) {
                line.append(wrapFrom >= 0 && i >= wrapFrom ? " \\\n    " : " ").append(args.get(i).shell());
            }
            return line.toString();
        }

        /** The command on one line, secrets as variables, for messages. */
        String display() {
            return new Action(why, args, -1, ifFails).shell();
        }

        /** The arguments after {@code mc} with the secrets' values, for running it. */
        List<String> argv() {
            return args.stream().map(ShellWord::value).toList();
        }
    }

    /**
     * The plan for {@code buckets}, {@code target} and {@code rules} on the MinIO server mc calls {@code alias}.
     *
     * @param notes remarks for the script's header (which target and why, what the rules cannot express)
     */
    static MinioSetupPlan of(String source, String alias, String aliasHint, List<String> buckets, MinioTarget target,
                             MinioEventRules.Result rules, List<String> notes) {
        List<Action> actions = new ArrayList<>();
        List<ShellWord> mb = new ArrayList<>(List.of(ShellWord.text("mb"), ShellWord.text("--ignore-existing")));
        buckets.forEach(bucket -> mb.add(ShellWord.text(alias + "/" + bucket)));
        actions.add(new Action(List.of("Buckets the pipelines read and write, the dead-letter bucket and the state "
                + "bucket (step manifests); buckets that exist are kept."), mb, -1,
                "Check that mc reaches the server as '" + alias + "' with keys that may create buckets "
                        + "(mc alias list " + alias + "; mc admin info " + alias + ")."));

        List<ShellWord> config = new ArrayList<>(List.of(ShellWord.text("admin"), ShellWord.text("config"),
                ShellWord.text("set"), ShellWord.text(alias), ShellWord.text(target.configKey())));
        config.addAll(target.settings());
        actions.add(new Action(target.why(), config, 5, "MinIO refused the target; mc's message above says why. "
                + "Usual causes: MinIO cannot reach the " + (target.type() == MinioTarget.Type.webhook ? "webhook "
                + "(start Sluice first, and give --webhook-url as MinIO reaches it)" : "broker (start it first, and "
                + "give --url as MinIO reaches it)") + ", queue_dir is not writable on the MinIO server "
                + "(--queue-dir), or the keys of '" + alias + "' are not an admin's."));

        actions.add(new Action(List.of("MinIO loads notification targets when it starts: restart it (a few seconds; "
                + "clients retry)."), words("admin", "service", "restart", alias), -1,
                "Check that the server is up (mc admin info " + alias + ") and that the keys of '" + alias
                        + "' are an admin's."));

        String lastGroup = null;
        for (MinioEventRules.Rule rule : rules.rules()) {
            List<String> why = new ArrayList<>();
            if (lastGroup == null) {
                why.addAll(rules.why());
            }
            String group = rule.bucket() + " " + rule.pipelines();
            if (!group.equals(lastGroup)) {
                why.add("Bucket " + rule.bucket() + ": pipeline" + (rule.pipelines().size() == 1 ? " " : "s ")
                        + String.join(", ", rule.pipelines()) + ".");
                lastGroup = group;
            }
            List<ShellWord> add = new ArrayList<>(words("event", "add", alias + "/" + rule.bucket(), target.arn(),
                    "--event", rule.mcEvents()));
            if (!rule.prefix().isEmpty()) {
                add.addAll(words("--prefix", rule.prefix()));
            }
            if (!rule.suffix().isEmpty()) {
                add.addAll(words("--suffix", rule.suffix()));
            }
            add.add(ShellWord.text("--ignore-existing"));
            actions.add(new Action(why, add, -1, "MinIO refused the rule. 'ARN not found' means the target is "
                    + "not active: mc admin info --json " + alias + " lists the ARNs MinIO knows (is the broker or "
                    + "webhook reachable from MinIO?)."));
        }
        return new MinioSetupPlan(source, alias, aliasHint, actions, notes);
    }

    /** The secrets the commands use, by variable (first use wins). */
    List<ShellWord.Secret> secrets() {
        Map<String, ShellWord.Secret> secrets = new LinkedHashMap<>();
        for (Action action : actions) {
            for (ShellWord word : action.args()) {
                for (ShellWord.Part part : word.parts()) {
                    if (part instanceof ShellWord.Secret secret) {
                        secrets.putIfAbsent(secret.variable(), secret);
                    }
                }
            }
        }
        return List.copyOf(secrets.values());
    }

    /** A POSIX shell script that runs the plan with mc, stopping at the first failure. */
    String script() {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n");
        s.append("# MinIO setup for the pipelines of ").append(oneLine(source))
                .append(", written by `sluice minio setup`.\n");
        s.append("# Needs mc, the MinIO client (mcli in some distributions), with an alias for the server:\n");
        s.append("#   ").append(aliasHint).append('\n');
        s.append("# Safe to run again: existing buckets and rules are kept, the target's settings are set again.\n");
        notes.forEach(note -> comment(s, note));
        s.append("set -eu\n");
        List<ShellWord.Secret> secrets = secrets();
        if (!secrets.isEmpty()) {
            s.append("\n# Secrets come from the environment; none is written in this script.\n");
            for (ShellWord.Secret secret : secrets) {
                s.append(": \"${").append(secret.variable()).append(":?set ").append(secret.variable()).append(" to ")
                        .append(oneLine(secret.hint()).replaceAll("[}\"$`\\\\]", "")).append("}\"\n");
            }
        }
        for (Action action : actions) {
            if (!action.why().isEmpty()) {
                s.append('\n');
                action.why().forEach(line -> comment(s, line));
            }
            s.append(action.shell()).append('\n');
        }
        return s.toString();
    }

    private static List<ShellWord> words(String... words) {
        List<ShellWord> list = new ArrayList<>();
        for (String word : words) {
            list.add(ShellWord.text(word));
        }
        return list;
    }

    /** {@code text} as comment lines of at most about {@value #WIDTH} characters. */
    private static void comment(StringBuilder script, String text) {
        StringBuilder line = new StringBuilder("#");
        for (String word : oneLine(text).split(" ")) {
            if (line.length() > 1 && line.length() + 1 + word.length() > WIDTH) {
                script.append(line).append('\n');
                line = new StringBuilder("#  ");
            }
            line.append(' ').append(word);
        }
        script.append(line).append('\n');
    }

    /** Text for a comment: a line break would end the comment and run the rest. */
    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }
}
