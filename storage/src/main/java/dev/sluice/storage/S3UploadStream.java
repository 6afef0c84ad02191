package dev.sluice.storage;

import dev.sluice.core.store.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads what is written to it, holding at most one part in memory: the first full part starts a
 * multipart upload, each further full part is sent as it fills, and {@link #close()} sends the rest and
 * completes the upload (or, for an object smaller than one part, sends it in one PUT). The object
 * appears only on a successful close.
 *
 * <p>If an upload fails the multipart upload is aborted, so no half object and no orphaned parts are
 * left; the failure is thrown as an {@link IOException} whose cause is the mapped Sluice exception
 * ({@link dev.sluice.core.TransientException} when worth retrying). A writer whose own work failed calls
 * {@link #abort()} instead of {@link #close()}; {@code close()} after {@code abort()} does nothing.
 */
public final class S3UploadStream extends OutputStream {
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final S3ObjectStore store;
    private final String bucket;
    private final String key;
    private final String contentType;
    private final Map<String, String> metadata;
    private final int partSize;

    private byte[] buffer = new byte[0];
    private int count;
    private long total;
    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private boolean closed;
    private IOException failure;
    private ObjectInfo result;

    S3UploadStream(S3ObjectStore store, String bucket, String key, String contentType, Map<String, String> metadata,
                   int partSize) {
        this.store = store;
        this.bucket = bucket;
        this.key = key;
        this.contentType = contentType;
        this.metadata = metadata;
        this.partSize = partSize;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (count == buffer.length) {
            makeRoom();
        }
        buffer[count++] = (byte) b;
        total++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureOpen();
        while (length > 0) {
            if (count == buffer.length) {
                makeRoom();
            }
            int n = Math.min(length, buffer.length - count);
            System.arraycopy(bytes, offset, buffer, count, n);
            count += n;
            total += n;
            offset += n;
            length -= n;
        }
    }

    /** Completes the upload; the object exists when this returns. */
    @Override
    public void close() throws IOException {
        if (closed) {
            if (failure != null) {
                throw failure;
            }
            return;
        }
        closed = true;
        try {
            if (uploadId == null) {
                result = store.putBuffer(bucket, key, buffer, count, contentType, metadata);
            } else {
                if (count > 0) {
                    sendPart();
                }
                String eTag = store.completeUpload(bucket, key, uploadId, parts);
                result = store.info(bucket, key, total, eTag, contentType, metadata);
            }
        } catch (RuntimeException e) {
            throw fail(e);
        } finally {
            buffer = null;
        }
    }

    /** Discards everything written: aborts the multipart upload, if one was started. Never throws. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        buffer = null;
        if (uploadId != null) {
            store.abortUpload(bucket, key, uploadId, null);
        }
    }

    /** What the store holds after a successful {@link #close()}, else {@code null}. */
    public ObjectInfo result() {
        return result;
    }

    /** Bytes written so far. */
    public long bytesWritten() {
        return total;
    }

    private void ensureOpen() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IOException("The upload to s3://" + bucket + "/" + key + " is already closed");
        }
    }

    /** Grows the buffer up to one part; sends it once it is a full part. */
    private void makeRoom() throws IOException {
        if (buffer.length < partSize) {
            int grown = (int) Math.min(partSize, Math.max(INITIAL_BUFFER, (long) buffer.length * 2));
            buffer = Arrays.copyOf(buffer, grown);
            return;
        }
        try {
            if (uploadId == null) {
                uploadId = store.startUpload(bucket, key, contentType, metadata);
            }
            sendPart();
        } catch (RuntimeException e) {
            closed = true;
            buffer = null;
            throw fail(e);
        }
    }

    private void sendPart() {
        int partNumber = parts.size() + 1;
        byte[] bytes = buffer;
        int length = count;
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                "application/octet-stream");
        parts.add(store.uploadPart(bucket, key, uploadId, partNumber, body, length));
        count = 0;
    }

    private IOException fail(RuntimeException error) {
        if (uploadId != null) {
            store.abortUpload(bucket, key, uploadId, error);
        }
        RuntimeException mapped = error instanceof SdkException sdk
                ? store.errors().map(sdk, "upload", bucket, key, false) : error;
        failure = new IOException("Upload to s3://" + bucket + "/" + key + " failed: " + mapped.getMessage(), mapped);
        return failure;
    }
}
