package dev.sluice.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An S3-compatible object store. Implemented once over the AWS SDK (module {@code sluice-storage}); core
 * only sees this interface. Failures worth retrying are thrown as {@link dev.sluice.core.TransientException},
 * a missing object as {@link ObjectNotFoundException}.
 */
public interface ObjectStore extends AutoCloseable {

    /** Metadata of an object, or empty when it does not exist. */
    Optional<ObjectInfo> head(String bucket, String key);

    /** A stream over the object's content; the caller closes it. */
    InputStream get(String bucket, String key);

    /** Downloads the object to {@code target}, replacing it. */
    void download(String bucket, String key, Path target) throws IOException;

    /** Uploads a local file (multipart when large) and returns what the store then holds. */
    ObjectInfo put(String bucket, String key, Path file, String contentType, Map<String, String> userMetadata);

    /** Uploads bytes. */
    ObjectInfo put(String bucket, String key, byte[] content, String contentType, Map<String, String> userMetadata);

    /**
     * A stream whose bytes are uploaded as they are written (multipart for large objects); the object
     * appears when the stream is closed.
     */
    OutputStream openForWrite(String bucket, String key, String contentType, Map<String, String> userMetadata);

    /** Every object under {@code prefix}, fetched page by page as the stream is consumed. Close the stream. */
    default Stream<ObjectInfo> list(String bucket, String prefix) {
        return list(bucket, prefix, null);
    }

    /**
     * Objects under {@code prefix} whose keys sort after {@code startAfter} (all when {@code null}), in key
     * order, page by page: what a resumed listing needs.
     */
    Stream<ObjectInfo> list(String bucket, String prefix, String startAfter);

    void delete(String bucket, String key);

    boolean bucketExists(String bucket);

    void createBucket(String bucket);

    default void createBucketIfMissing(String bucket) {
        if (!bucketExists(bucket)) {
            createBucket(bucket);
        }
    }

    @Override
    void close();
}
