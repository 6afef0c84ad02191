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

    /**
     * One-time set-up that the first invocation would otherwise wait for: registering plugins, loading native
     * libraries, building tables, running a code path once so that its classes are loaded. Sluice calls it when
     * it starts using the function (a server for the functions its pipelines name, {@code sluice invoke} while
     * it reads its command line), usually on another thread and possibly while invocations already run. It must
     * be thread-safe, cheap when called again, and not throw (a failure is for the first invocation to report);
     * {@link #apply} must work whether or not it ran.
     */
    default void prepare() {
    }

    /** Processes one input and writes every result through {@link Invocation#outputs()}. */
    void apply(Invocation invocation) throws Exception;

    /** Releases pooled engines; called when the server stops. */
    @Override
    default void close() {
    }
}
