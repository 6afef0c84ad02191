package dev.sluice.storage;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces every committed change, the way S3 bucket notifications do: a CREATED event after a PUT,
 * a completed multipart upload or a copy has been written (the filesystem blobstore renames the object
 * into place before returning), a REMOVED event after an existing object was deleted. The listener runs
 * on the request thread before S3Proxy answers the client, so an event is never seen before the object
 * exists; it must be quick (hand the event to a queue) and its failures never fail the upload.
 */
final class EventEmittingBlobStore extends ForwardingBlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(EventEmittingBlobStore.class);

    private final Consumer<ObjectEvent> listener;
    /** S3 sequencers are hex strings that order events of one key; this one orders all of them. */
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() << 16);

    EventEmittingBlobStore(BlobStore delegate, Consumer<ObjectEvent> listener) {
        super(delegate);
        this.listener = listener;
    }

    @Override
    public String putBlob(String container, Blob blob) {
        String eTag = super.putBlob(container, blob);
        created(container, blob.getMetadata().getName(), "ObjectCreated:Put");
        return eTag;
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        String eTag = super.putBlob(container, blob, options);
        created(container, blob.getMetadata().getName(), "ObjectCreated:Put");
        return eTag;
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName,
                           CopyOptions options) {
        String eTag = super.copyBlob(fromContainer, fromName, toContainer, toName, options);
        created(toContainer, toName, "ObjectCreated:Copy");
        return eTag;
    }

    @Override
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        String eTag = super.completeMultipartUpload(mpu, parts);
        created(mpu.containerName(), mpu.blobName(), "ObjectCreated:CompleteMultipartUpload");
        return eTag;
    }

    @Override
    public void removeBlob(String container, String name) {
        BlobMetadata existing = ObjectKeys.isInternal(name) ? null : super.blobMetadata(container, name);
        super.removeBlob(container, name);
        if (existing != null) {
            emit(new ObjectEvent(container, name, existing.getSize() == null ? -1 : existing.getSize(),
                    existing.getETag(), null, EventType.REMOVED, "ObjectRemoved:Delete", Instant.now(), null,
                    nextSequencer(), Map.of()));
        }
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        for (String name : names) {
            removeBlob(container, name);
        }
    }

    private void created(String container, String key, String eventName) {
        if (ObjectKeys.isInternal(key)) {
            return;
        }
        BlobMetadata metadata;
        try {
            metadata = super.blobMetadata(container, key);
        } catch (RuntimeException e) {
            LOG.warn("Cannot read s3://{}/{} after it was written; no event sent: {}", container, key, e.toString());
            return;
        }
        if (metadata == null) {
            return; // deleted again before we looked: its REMOVED event follows
        }
        // a folder marker ("photos/") is an empty object, whatever size its directory has on disk
        long size = key.endsWith("/") ? 0 : metadata.getSize() == null ? -1 : metadata.getSize();
        String contentType = metadata.getContentMetadata() == null ? null
                : metadata.getContentMetadata().getContentType();
        emit(new ObjectEvent(container, key, size, metadata.getETag(), contentType, EventType.CREATED, eventName,
                Instant.now(), null, nextSequencer(), lowerCaseNames(metadata.getUserMetadata())));
    }

    private void emit(ObjectEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("Event listener failed for {} {}: {}", event.eventName(), event.location(), e.toString(), e);
        }
    }

    private String nextSequencer() {
        return String.format(Locale.ROOT, "%016X", sequence.incrementAndGet());
    }

    static Map<String, String> lowerCaseNames(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        Map<String, String> lower = new TreeMap<>();
        metadata.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value == null ? "" : value));
        return lower;
    }
}
