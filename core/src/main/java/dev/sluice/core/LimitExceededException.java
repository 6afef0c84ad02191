package dev.sluice.core;

/** The input is over a configured limit (pixels, pages, bytes, duration); refused before the expensive work. */
public class LimitExceededException extends BadInputException {
    public LimitExceededException(String message) {
        super(message);
    }
}
