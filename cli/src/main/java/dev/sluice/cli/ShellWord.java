package dev.sluice.cli;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One argument of a command that {@code sluice minio setup} prints or runs: literal text and secrets. A printed
 * script names each secret by its environment variable ({@code "${SLUICE_WEBHOOK_TOKEN}"}), so no secret is ever
 * written out; {@code --apply} passes the value itself.
 */
record ShellWord(List<Part> parts) {
    /** Words made of these characters need no quotes in sh. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    ShellWord {
        parts = List.copyOf(parts);
    }

    /** A piece of a word. */
    sealed interface Part permits Text, Secret {
    }

    record Text(String text) implements Part {
    }

    /**
     * A value the script reads from {@code variable}.
     *
     * @param hint what to set the variable to, for the script's check that it is set
     */
    record Secret(String variable, String value, String hint) implements Part {
        @Override
        public String toString() {
            return "Secret[variable=" + variable + "]";
        }
    }

    static ShellWord text(String text) {
        return new ShellWord(List.of(new Text(text)));
    }

    static ShellWord of(Part... parts) {
        return new ShellWord(List.of(parts));
    }

    /** The argument itself, secrets included: what {@code --apply} passes to mc. */
    String value() {
        StringBuilder value = new StringBuilder();
        for (Part part : parts) {
            value.append(part instanceof Secret secret ? secret.value() : ((Text) part).text());
        }
        return value.toString();
    }

    /** The argument as sh reads it back, secrets as variables: what the script says and what is shown. */
    String shell() {
        if (parts.stream().noneMatch(Secret.class::isInstance)) {
            return quote(value());
        }
        // double quotes, so that the variables expand and nothing else does
        StringBuilder word = new StringBuilder("\"");
        for (Part part : parts) {
            if (part instanceof Secret secret) {
                word.append("${").append(secret.variable()).append('}');
            } else {
                for (char c : ((Text) part).text().toCharArray()) {
                    if ("\\\"$`".indexOf(c) >= 0) {
                        word.append('\\');
                    }
                    word.append(c);
                }
            }
        }
        return word.append('"').toString();
    }

    /** {@code text} as one sh word: as it is when that is safe, else in single quotes. */
    static String quote(String text) {
        if (PLAIN.matcher(text).matches()) {
            return text;
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return shell();
    }
}
