package dev.sluice.core.exec;

/** How one step ended for one input. */
public enum Outcome {
    /** Ran and wrote its outputs. */
    SUCCEEDED,
    /** Its outputs were already current for the input's eTag. */
    SKIPPED,
    /** Its {@code when} condition did not hold for this input, so it did not run. */
    CONDITION_FALSE,
    /** Failed for good; a dead-letter record holds the details. */
    DEAD_LETTERED,
    /** Failed and not even the dead letter could be written; the event must be delivered again. */
    FAILED;

    /** True when the function ran: not skipped for current outputs nor for a condition that did not hold. */
    public boolean ran() {
        return this != SKIPPED && this != CONDITION_FALSE;
    }

    /** True when the step failed for good (dead-lettered, or not even that). */
    public boolean failed() {
        return this == DEAD_LETTERED || this == FAILED;
    }

    /** True when the event that led here may be acknowledged. */
    public boolean settled() {
        return this != FAILED;
    }
}
