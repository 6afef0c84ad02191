package dev.sluice.core.function;

import dev.sluice.core.SluiceException;
import java.time.Instant;
import org.slf4j.Logger;

/** Everything one call of a {@link SluiceFunction} gets: input, parameters, an output writer and a deadline. */
public interface Invocation {

    Input input();

    Parameters parameters();

    Outputs outputs();

    /** After this instant the invocation is interrupted and counted as timed out. */
    Instant deadline();

    /** A logger whose lines name the function and the input. */
    Logger logger();

    /** Throws when the deadline has passed or the thread was interrupted; call it between units of work. */
    default void checkDeadline() {
        if (Thread.currentThread().isInterrupted() || Instant.now().isAfter(deadline())) {
            throw new SluiceException("Invocation deadline passed or cancelled while processing " + input().key());
        }
    }
}
