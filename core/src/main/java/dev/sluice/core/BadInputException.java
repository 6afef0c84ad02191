package dev.sluice.core;

/**
 * The input object cannot be processed as it is (corrupt, unsupported, over a limit). Never retried:
 * the invocation is dead-lettered and the next event runs.
 */
public class BadInputException extends SluiceException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
