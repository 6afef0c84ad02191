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

    /**
     * Reports how far a long job is, from 0 to 1 (e.g. seconds of a video encoded / its duration). Cheap to call
     * often. A server shows it as the {@code sluice.invocation.progress} gauge and tells the event's broker the
     * work is still going, so a long job keeps its message instead of being redelivered to another worker.
     */
    default void progress(double fraction) {
    }

    /** Throws when the deadline has passed or the thread was interrupted; call it between units of work. */
    default void checkDeadline() {
        if (Thread.currentThread().isInterrupted() || Instant.now().isAfter(deadline())) {
            throw new SluiceException("Invocation deadline passed or cancelled while processing " + input().key());
        }
    }
}
