package dev.sluice.core.exec;

import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.pipeline.OutputTemplate;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Outputs written to the store, tagged with their origin (source, its eTag, the step, the chain depth). */
final class StoreOutputs extends RecordingOutputs<ObjectInfo> {
    private final ObjectStore store;
    private final OutputTemplate template;
    private final ObjectEvent source;
    private final Map<String, String> originMetadata;

    StoreOutputs(ObjectStore store, OutputTemplate template, ObjectEvent source, String stepId, int depth) {
        this.store = store;
        this.template = template;
        this.source = source;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(SluiceMetadata.SOURCE, SluiceMetadata.encode(source.bucket() + "/" + source.key()));
        if (source.eTag() != null) {
            metadata.put(SluiceMetadata.SOURCE_ETAG, source.eTag());
        }
        metadata.put(SluiceMetadata.STEP, SluiceMetadata.encode(stepId));
        metadata.put(SluiceMetadata.DEPTH, Integer.toString(depth + 1));
        this.originMetadata = Map.copyOf(metadata);
    }

    @Override
    protected String destination(OutputSpec spec) {
        return template.resolveKey(source.bucket(), source.key(), spec);
    }

    @Override
    protected ObjectInfo commit(OutputSpec spec, String key, Path spool) {
        return store.put(template.bucket(), key, spool, spec.contentType(), originMetadata);
    }

    @Override
    protected void remove(ObjectInfo output) {
        store.delete(output.bucket(), output.key());
    }
}
