package dev.sluice.core.function;

import java.util.List;

/**
 * A prebuilt or user-written function: the unit of work Sluice runs on an object.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.sluice.core.function.SluiceFunction}) and must have a public no-argument
 * constructor. A function is stateless between invocations, except for native engines it may keep warm;
 * it is called from several threads at once. It throws {@link dev.sluice.core.BadInputException} for input
 * it cannot process (never retried) and {@link dev.sluice.core.TransientException} for failures worth
 * retrying; anything else counts as a permanent failure.
 */
public interface SluiceFunction extends AutoCloseable {

    /** Lower-case name used in pipelines and on the command line, e.g. {@code thumbnail}. */
    String name();

    /** One line for {@code sluice functions}. */
    String description();

    /** The parameters this function accepts, with defaults. */
    List<ParameterSpec> parameters();

    /**
     * Checks parameter combinations when the config loads (single values are already type-checked).
     * Throws {@link dev.sluice.core.ConfigException} with a message that says what to change.
     */
    default void validate(Parameters parameters) {
    }

    /** Processes one input and writes every result through {@link Invocation#outputs()}. */
    void apply(Invocation invocation) throws Exception;

    /** Releases pooled engines; called when the server stops. */
    @Override
    default void close() {
    }
}
