package dev.sluice.core.exec;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.function.Input;
import dev.sluice.core.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** An object in the store as a function input; downloaded to a temp file only if the function asks for one. */
final class StoreInput implements Input, AutoCloseable {
    private final ObjectStore store;
    private final ObjectEvent object;
    private Path file;

    StoreInput(ObjectStore store, ObjectEvent object) {
        this.store = store;
        this.object = object;
    }

    @Override
    public String key() {
        return object.key();
    }

    @Override
    public String contentType() {
        return object.contentType();
    }

    @Override
    public long size() {
        return object.size();
    }

    @Override
    public InputStream openStream() throws IOException {
        if (file != null) {
            return java.nio.file.Files.newInputStream(file);
        }
        return store.get(object.bucket(), object.key());
    }

    @Override
    public synchronized Path file() throws IOException {
        if (file == null) {
            Path target = TempFiles.create("sluice-in-", TempFiles.extensionOf(object.key()));
            try {
                store.download(object.bucket(), object.key(), target);
            } catch (IOException | RuntimeException e) {
                TempFiles.deleteQuietly(target);
                throw e;
            }
            file = target;
        }
        return file;
    }

    @Override
    public void close() {
        TempFiles.deleteQuietly(file);
    }
}
