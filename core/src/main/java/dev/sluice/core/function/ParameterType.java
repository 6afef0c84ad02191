package dev.sluice.core.function;

/** The kinds of value a function parameter takes; values always arrive as strings and are checked against these. */
public enum ParameterType {
    STRING,
    INT,
    /** Comma-separated integers, e.g. {@code 256,1024}. */
    INT_LIST,
    DOUBLE,
    BOOLEAN,
    /** One of {@link ParameterSpec#allowed()}. */
    ENUM,
    /** A size such as {@code 640x480}. */
    DIMENSIONS
}
