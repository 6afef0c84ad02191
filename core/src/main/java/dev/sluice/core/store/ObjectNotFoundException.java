package dev.sluice.core.store;

import dev.sluice.core.SluiceException;

/** The bucket or object does not exist (any more). */
public class ObjectNotFoundException extends SluiceException {
    public ObjectNotFoundException(String bucket, String key) {
        super("No such object: s3://" + bucket + "/" + (key == null ? "" : key)
                + ". It may have been deleted after the event was sent.");
    }
}
