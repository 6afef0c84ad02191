package dev.sluice.core.pipeline;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.function.OutputSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a step writes its outputs: {@code s3://bucket/key-template}, e.g.
 * {@code s3://thumbnails/{dir}/{name}-{width}.{ext}}.
 *
 * <p>Variables: {@code {bucket} {key} {dir} {name} {file} {srcext}} from the input, {@code {ext} {suffix}} and
 * the function's own variables (e.g. {@code {width}}, {@code {page}}) from each output. Every value is
 * sanitised, and the resolved key is checked to stay inside the bucket and the template's literal prefix,
 * so no input key can steer an output elsewhere.
 */
public record OutputTemplate(String bucket, String keyTemplate) {
    /** Used when a step names only a bucket, and by {@code sluice invoke}. */
    public static final String DEFAULT_KEY_TEMPLATE = "{dir}/{name}{suffix}.{ext}";
    private static final Pattern VARIABLE = Pattern.compile("\\{([a-zA-Z][a-zA-Z0-9_-]*)}");
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final int MAX_KEY_BYTES = 1024;

    public OutputTemplate {
        if (!BUCKET_NAME.matcher(bucket).matches()) {
            throw new ConfigException("Output bucket '" + bucket + "' is not a valid bucket name "
                    + "(3-63 lower-case letters, digits, dots and hyphens).");
        }
        if (keyTemplate.isBlank()) {
            keyTemplate = DEFAULT_KEY_TEMPLATE;
        }
        if (keyTemplate.startsWith("/")) {
            throw new ConfigException("Output key template '" + keyTemplate + "' must not start with '/'.");
        }
        String literal = VARIABLE.matcher(keyTemplate).replaceAll("x");
        if (literal.contains("{") || literal.contains("}")) {
            throw new ConfigException("Output key template '" + keyTemplate
                    + "' has an unbalanced or invalid {variable}; variables look like {name}.");
        }
        // Every literal segment, also those after a variable (which stands in as "x"); encoded and look-alike
        // dots, backslashes and empty segments would otherwise only be refused at run time, for every input.
        for (String segment : literal.split("/", -1)) {
            if (SafeKeys.isUnsafeSegment(segment)) {
                throw new ConfigException("Output key template '" + keyTemplate + "' must not contain '.' or '..' "
                        + "segments (also percent-encoded or look-alike), backslashes, or empty segments ('//' or a "
                        + "trailing '/'); end it with a file name such as {name}{suffix}.{ext}.");
            }
        }
    }

    /** Parses {@code s3://bucket/template} (or {@code s3://bucket} for the default template). */
    public static OutputTemplate parse(String uri) {
        if (uri == null || !uri.startsWith("s3://")) {
            throw new ConfigException("Output '" + uri + "' must look like s3://bucket/{dir}/{name}{suffix}.{ext}.");
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? new OutputTemplate(rest, DEFAULT_KEY_TEMPLATE)
                : new OutputTemplate(rest.substring(0, slash), rest.substring(slash + 1));
    }

    /** The literal part of the key template before its first variable: every output key starts with it. */
    public String staticPrefix() {
        return staticPrefixOf(keyTemplate);
    }

    /** The object key for one output of the input {@code sourceKey}. */
    public String resolveKey(String sourceBucket, String sourceKey, OutputSpec spec) {
        return resolve(keyTemplate, staticPrefix(), variables(sourceBucket, sourceKey, spec));
    }

    /** The local file for one output, always inside {@code outDir}. */
    public static Path resolveLocal(Path outDir, String keyTemplate, String sourceKey, OutputSpec spec) {
        String key = resolve(keyTemplate, staticPrefixOf(keyTemplate), variables("", sourceKey, spec));
        Path root = outDir.toAbsolutePath().normalize();
        Path target = root.resolve(key).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new BadInputException("Output path for '" + sourceKey + "' would leave " + root + "; refused.");
        }
        return target;
    }

    static Map<String, String> variables(String sourceBucket, String sourceKey, OutputSpec spec) {
        String file = sourceKey.substring(sourceKey.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        Map<String, String> vars = new HashMap<>();
        for (Map.Entry<String, String> var : spec.vars().entrySet()) {
            vars.put(var.getKey(), SafeKeys.sanitizeSegment(var.getValue()));
        }
        vars.put("bucket", SafeKeys.sanitizeSegment(sourceBucket));
        vars.put("key", SafeKeys.sanitizePath(sourceKey));
        vars.put("dir", SafeKeys.sanitizePath(sourceKey.lastIndexOf('/') < 0 ? ""
                : sourceKey.substring(0, sourceKey.lastIndexOf('/'))));
        vars.put("file", SafeKeys.sanitizeSegment(file));
        vars.put("name", SafeKeys.sanitizeSegment(dot > 0 ? file.substring(0, dot) : file));
        vars.put("srcext", SafeKeys.sanitizeSegment(dot > 0 ? file.substring(dot + 1) : ""));
        vars.put("ext", SafeKeys.sanitizeSegment(spec.extension()));
        vars.put("suffix", SafeKeys.sanitizeSegment(spec.suffix()));
        return vars;
    }

    private static String resolve(String template, String prefix, Map<String, String> vars) {
        Matcher matcher = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = vars.get(matcher.group(1));
            if (value == null) {
                throw new BadInputException("Output template '" + template + "' uses {" + matcher.group(1)
                        + "}, which this function does not provide. Available: " + String.join(", ", vars.keySet()));
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        // Empty variables ({dir} of a top-level key) leave empty segments; collapse them.
        String key = out.toString().replaceAll("/{2,}", "/");
        while (key.startsWith("/")) {
            key = key.substring(1);
        }
        checkInside(key, prefix, template);
        return key;
    }

    private static void checkInside(String key, String prefix, String template) {
        if (key.isEmpty() || key.endsWith("/")) {
            throw new BadInputException("Output template '" + template + "' resolved to an empty file name.");
        }
        if (!key.startsWith(prefix)) {
            throw new BadInputException("Output key '" + key + "' is outside the prefix '" + prefix + "'; refused.");
        }
        for (String segment : key.split("/")) {
            if (SafeKeys.isUnsafeSegment(segment)) {
                throw new BadInputException("Output key '" + key + "' has an unsafe segment; refused.");
            }
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new BadInputException("Output key is longer than " + MAX_KEY_BYTES + " bytes; shorten the input key.");
        }
    }

    private static String staticPrefixOf(String template) {
        int brace = template.indexOf('{');
        return brace < 0 ? template : template.substring(0, brace);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + keyTemplate;
    }
}
