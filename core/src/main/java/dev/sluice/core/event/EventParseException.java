package dev.sluice.core.event;

import dev.sluice.core.BadInputException;

/** A notification body that is not a valid S3/MinIO event document. */
public class EventParseException extends BadInputException {
    public EventParseException(String message) {
        super(message);
    }

    public EventParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
