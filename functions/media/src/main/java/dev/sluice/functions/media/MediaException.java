package dev.sluice.functions.media;

import dev.sluice.core.SluiceException;

/** FFmpeg failed at a step that does not depend on the input (encoding, muxing): a bug or a broken install. */
final class MediaException extends SluiceException {
    MediaException(String message) {
        super(message);
    }
}
