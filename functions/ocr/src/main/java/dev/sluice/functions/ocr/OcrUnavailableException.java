package dev.sluice.functions.ocr;

import dev.sluice.core.SluiceException;

/**
 * OCR cannot run on this machine as it is set up: the Tesseract library or a language model is missing. The
 * message names what to install. Not the input's fault, so it is not a {@link dev.sluice.core.BadInputException}.
 */
public class OcrUnavailableException extends SluiceException {
    public OcrUnavailableException(String message) {
        super(message);
    }

    public OcrUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
