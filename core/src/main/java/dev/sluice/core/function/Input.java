package dev.sluice.core.function;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** The object an invocation works on: readable as a stream or, for libraries that need one, as a local file. */
public interface Input {

    /** Object key (or local path for {@code sluice invoke}). */
    String key();

    /** Last path segment of the key, e.g. {@code photo.jpg}. */
    default String fileName() {
        String key = key();
        int slash = key.lastIndexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }

    /** MIME type as stored, or {@code null}. */
    String contentType();

    /** Size in bytes, or {@code -1} when unknown. */
    long size();

    /** A fresh stream over the whole object; the caller closes it. */
    InputStream openStream() throws IOException;

    /**
     * The object as a local file, downloaded once on first call and deleted after the invocation.
     * Do not modify or delete it.
     */
    Path file() throws IOException;
}
