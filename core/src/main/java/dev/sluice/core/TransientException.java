package dev.sluice.core;

/** A failure that may succeed when tried again (store unavailable, throttled, network). Retried with backoff. */
public class TransientException extends SluiceException {
    public TransientException(String message) {
        super(message);
    }

    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }
}
