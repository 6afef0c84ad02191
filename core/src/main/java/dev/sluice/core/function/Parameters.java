package dev.sluice.core.function;

import dev.sluice.core.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Parameter values of one invocation, checked against the function's {@link ParameterSpec}s: unknown names
 * and malformed values are rejected with a message that lists what is allowed. Defaults fill the gaps.
 */
public final class Parameters {
    private final String functionName;
    private final Map<String, ParameterSpec> specs;
    private final Map<String, String> values;

    private Parameters(String functionName, Map<String, ParameterSpec> specs, Map<String, String> values) {
        this.functionName = functionName;
        this.specs = specs;
        this.values = values;
    }

    /** Validates {@code given} against {@code function}'s parameter description. */
    public static Parameters of(SluiceFunction function, Map<String, String> given) {
        Map<String, ParameterSpec> specs = new LinkedHashMap<>();
        for (ParameterSpec spec : function.parameters()) {
            specs.put(spec.name(), spec);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (ParameterSpec spec : specs.values()) {
            if (spec.defaultValue() != null) {
                values.put(spec.name(), spec.defaultValue());
            }
        }
        for (Map.Entry<String, String> entry : given.entrySet()) {
            ParameterSpec spec = specs.get(entry.getKey());
            if (spec == null) {
                throw new ConfigException("Unknown parameter '" + entry.getKey() + "' for function '" + function.name()
                        + "'. Known parameters: " + String.join(", ", specs.keySet()) + ".");
            }
            String value = entry.getValue() == null ? "" : entry.getValue();
            // Free text (a password, a prefix) is kept exactly as written; typed values tolerate stray spaces.
            values.put(entry.getKey(), spec.type() == ParameterType.STRING ? value : value.trim());
        }
        Parameters parameters = new Parameters(function.name(), specs, values);
        for (String name : values.keySet()) {
            parameters.checkType(specs.get(name), values.get(name));
        }
        return parameters;
    }

    /** Parses {@code k=v} strings from a command line. */
    public static Map<String, String> parseAssignments(List<String> assignments) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String assignment : assignments) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("Parameter '" + assignment + "' must look like name=value, e.g. width=256.");
            }
            map.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
        }
        return map;
    }

    public boolean has(String name) {
        String value = values.get(name);
        return value != null && !value.isEmpty();
    }

    public Optional<String> find(String name) {
        return has(name) ? Optional.of(values.get(name)) : Optional.empty();
    }

    public String get(String name) {
        requireKnown(name);
        if (!has(name)) {
            throw new ConfigException("Function '" + functionName + "' needs parameter '" + name + "': "
                    + specs.get(name).description());
        }
        return values.get(name);
    }

    public int getInt(String name) {
        return Integer.parseInt(get(name));
    }

    public long getLong(String name) {
        return Long.parseLong(get(name));
    }

    public double getDouble(String name) {
        return Double.parseDouble(get(name));
    }

    public boolean getBoolean(String name) {
        return Boolean.parseBoolean(get(name));
    }

    public List<Integer> getIntList(String name) {
        List<Integer> list = new ArrayList<>();
        for (String part : get(name).split(",")) {
            list.add(Integer.parseInt(part.trim()));
        }
        return list;
    }

    /** {@code WIDTHxHEIGHT} as a two-element array. */
    public int[] getDimensions(String name) {
        String[] parts = get(name).toLowerCase(Locale.ROOT).split("x");
        return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    }

    /** Lower-cased enum value. */
    public String getChoice(String name) {
        return get(name).toLowerCase(Locale.ROOT);
    }

    /** The values as given plus defaults, for logs, dead letters and output metadata. */
    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private void requireKnown(String name) {
        if (!specs.containsKey(name)) {
            throw new IllegalArgumentException("Function '" + functionName + "' declares no parameter '" + name + "'");
        }
    }

    private void checkType(ParameterSpec spec, String value) {
        if (value.isEmpty()) {
            return;
        }
        try {
            switch (spec.type()) {
                case INT -> Integer.parseInt(value);
                case DOUBLE -> {
                    if (!Double.isFinite(Double.parseDouble(value))) { // NaN, Infinity, 1e999
                        throw new NumberFormatException();
                    }
                }
                case INT_LIST -> {
                    for (String part : value.split(",")) {
                        if (Integer.parseInt(part.trim()) <= 0) {
                            throw new NumberFormatException();
                        }
                    }
                }
                case BOOLEAN -> {
                    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                        throw new NumberFormatException();
                    }
                }
                case ENUM -> {
                    if (spec.allowed().stream().noneMatch(a -> a.equalsIgnoreCase(value))) {
                        throw new NumberFormatException();
                    }
                }
                case DIMENSIONS -> {
                    String[] parts = value.toLowerCase(Locale.ROOT).split("x");
                    if (parts.length != 2 || Integer.parseInt(parts[0].trim()) <= 0
                            || Integer.parseInt(parts[1].trim()) <= 0) {
                        throw new NumberFormatException();
                    }
                }
                case STRING -> {
                }
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("Parameter '" + spec.name() + "' of function '" + functionName + "' has value '"
                    + value + "', which is not " + describe(spec) + ".");
        }
    }

    private static String describe(ParameterSpec spec) {
        return switch (spec.type()) {
            case INT -> "an integer";
            case DOUBLE -> "a number";
            case INT_LIST -> "a comma-separated list of positive integers such as 256,1024";
            case BOOLEAN -> "true or false";
            case ENUM -> "one of " + String.join(", ", spec.allowed());
            case DIMENSIONS -> "a size such as 640x480";
            case STRING -> "text";
        };
    }
}
