package dev.sluice.core;

/**
 * Root of every user-facing Sluice error. Messages say what went wrong and what to do about it.
 */
public class SluiceException extends RuntimeException {
    public SluiceException(String message) {
        super(message);
    }

    public SluiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
