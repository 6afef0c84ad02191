package dev.sluice.core.function;

import java.util.List;
import java.util.Objects;

/**
 * Describes one parameter of a function: shown by {@code sluice functions} and used to reject unknown or
 * malformed parameters when the config loads rather than when the first file arrives.
 *
 * @param defaultValue value used when the parameter is not given, or {@code null} for none
 * @param allowed      allowed values for {@link ParameterType#ENUM}, empty otherwise
 */
public record ParameterSpec(String name, ParameterType type, String description, String defaultValue,
                            List<String> allowed) {

    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
    }

    public static ParameterSpec of(String name, ParameterType type, String defaultValue, String description) {
        return new ParameterSpec(name, type, description, defaultValue, List.of());
    }

    public static ParameterSpec oneOf(String name, String defaultValue, String description, String... allowed) {
        return new ParameterSpec(name, ParameterType.ENUM, description, defaultValue, List.of(allowed));
    }
}
