package dev.sluice.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.core.event.S3EventParser;
import dev.sluice.core.pipeline.Match;
import dev.sluice.core.pipeline.OutputTemplate;
import dev.sluice.core.pipeline.Pipeline;
import dev.sluice.core.pipeline.Step;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    static final Step THUMBNAIL = step("thumbnail", "s3://uploads/thumbs/{dir}/{name}-{width}.{ext}");
    static final Step OCR = step("ocr", "s3://text/{key}.txt");
    static final Pipeline IMAGES = new Pipeline("images", new Match("uploads", null, List.of(".jpg"), null, null, null),
            List.of(THUMBNAIL, OCR));
    static final Pipeline EVERYTHING = new Pipeline("audit", new Match(null, null, null, null, null, null),
            List.of(step("audit", "s3://audit/{bucket}/{key}.json")));

    static Step step(String id, String output) {
        return new Step(id, id, Map.of(), OutputTemplate.parse(output), List.of());
    }

    static ObjectEvent event(String key, Map<String, String> metadata) {
        return new ObjectEvent("uploads", key, 100, "etag", "image/jpeg", EventType.CREATED, "ObjectCreated:Put",
                Instant.now(), null, null, metadata);
    }

    static List<String> stepIds(List<Task> tasks) {
        return tasks.stream().map(Task::stepId).toList();
    }

    @Test
    void everyStepOfEveryMatchingPipelineBecomesATask() {
        Router router = new Router(List.of(IMAGES, EVERYTHING), 8);

        List<Task> tasks = router.route(event("trip/beach.jpg", Map.of()));

        assertThat(stepIds(tasks)).containsExactly("images/thumbnail", "images/ocr", "audit/audit");
        assertThat(tasks).allSatisfy(task -> assertThat(task.depth()).isZero());
        assertThat(tasks.get(0).input().key()).isEqualTo("trip/beach.jpg");
        assertThat(tasks.get(0)).hasToString("images/thumbnail on s3://uploads/trip/beach.jpg");
    }

    @Test
    void folderMarkersAreNotFiles() {
        Router router = new Router(List.of(EVERYTHING), 8);

        assertThat(router.route(event("photos/2024/", Map.of()))).isEmpty();
        assertThat(router.mayMatch(event("photos/2024/", Map.of()))).isFalse();
        assertThat(router.route(event("photos/2024/a", Map.of()))).hasSize(1);
    }

    @Test
    void nonMatchingEventsProduceNoTasks() {
        Router router = new Router(List.of(IMAGES), 8);
        assertThat(router.route(event("notes.txt", Map.of()))).isEmpty();
    }

    @Test
    void anObjectDoesNotReTriggerTheStepThatWroteItButDoesTriggerOthers() {
        Router router = new Router(List.of(IMAGES, EVERYTHING), 8);
        Map<String, String> writtenByThumbnail = Map.of(
                SluiceMetadata.STEP, SluiceMetadata.encode("images/thumbnail"),
                SluiceMetadata.DEPTH, "1");

        List<Task> tasks = router.route(event("thumbs/trip/beach-256.jpg", writtenByThumbnail));

        assertThat(stepIds(tasks)).containsExactly("images/ocr", "audit/audit");
        assertThat(tasks).allSatisfy(task -> assertThat(task.depth()).isEqualTo(1));
    }

    @Test
    void loopGuardComparesPipelineAndStepTogether() {
        Pipeline other = new Pipeline("other", IMAGES.match(), List.of(THUMBNAIL));
        Router router = new Router(List.of(IMAGES, other), 8);

        List<Task> tasks = router.route(event("x.jpg", Map.of(SluiceMetadata.STEP, "other%2Fthumbnail")));

        assertThat(stepIds(tasks)).containsExactly("images/thumbnail", "images/ocr");
    }

    @Test
    void loopGuardDecodesStepNamesWithSpecialCharacters() {
        Pipeline spaced = new Pipeline("my images", IMAGES.match(), List.of(THUMBNAIL, OCR));
        Router router = new Router(List.of(spaced), 8);
        String written = SluiceMetadata.encode(SluiceMetadata.stepId("my images", "thumbnail"));

        assertThat(written).isEqualTo("my+images%2Fthumbnail");
        assertThat(stepIds(router.route(event("x.jpg", Map.of(SluiceMetadata.STEP, written)))))
                .containsExactly("my images/ocr");
    }

    @Test
    void loopGuardHoldsForAMinioEventOfAnOutputInTheInputBucket() throws IOException {
        Pipeline thumbnails = new Pipeline("thumbnails", new Match("uploads", null, List.of(".jpg"), null, null, null),
                List.of(step("thumbnail", "s3://uploads/thumbs/{dir}/{name}-{width}.{ext}")));
        ObjectEvent output;
        try (InputStream in = getClass().getResourceAsStream("/events/minio-sluice-output.json")) {
            output = S3EventParser.parse(in.readAllBytes()).get(0);
        }

        assertThat(new Router(List.of(thumbnails), 8).route(output)).isEmpty();
    }

    @Test
    void chainDepthAtOrOverTheLimitStopsRouting() {
        Router router = new Router(List.of(IMAGES, EVERYTHING), 3);

        assertThat(router.route(event("x.jpg", Map.of(SluiceMetadata.DEPTH, "2")))).hasSize(3)
                .allSatisfy(task -> assertThat(task.depth()).isEqualTo(2));
        assertThat(router.route(event("x.jpg", Map.of(SluiceMetadata.DEPTH, "3")))).isEmpty();
        assertThat(router.route(event("x.jpg", Map.of(SluiceMetadata.DEPTH, "4")))).isEmpty();
        assertThat(router.route(event("x.jpg", Map.of(SluiceMetadata.DEPTH, " 99 ")))).isEmpty();
    }

    @Test
    void unreadableDepthCountsAsAnUpload() {
        Router router = new Router(List.of(IMAGES), 3);

        assertThat(router.route(event("x.jpg", Map.of(SluiceMetadata.DEPTH, "deep"))))
                .hasSize(2).allSatisfy(task -> assertThat(task.depth()).isZero());
    }

    @Test
    void negativeDepthCannotBuyALongerChain() {
        // Anyone who can upload can set user metadata; a negative depth must not extend the chain limit.
        assertThat(SluiceMetadata.depth(Map.of(SluiceMetadata.DEPTH, "-1000000"))).isZero();
        assertThat(SluiceMetadata.depth(Map.of(SluiceMetadata.DEPTH, String.valueOf(Integer.MIN_VALUE)))).isZero();
        List<Task> tasks = new Router(List.of(IMAGES), 3)
                .route(event("x.jpg", Map.of(SluiceMetadata.DEPTH, "-1000000")));
        assertThat(tasks).allSatisfy(task -> assertThat(task.depth()).isZero());
    }

    @Test
    void mayMatchJudgesByWhatTheEventSaysAndIgnoresAMissingContentType() {
        Pipeline pdfs = new Pipeline("pdfs", new Match("docs", null, null, null, List.of("application/pdf"), null),
                List.of(OCR));
        Router router = new Router(List.of(IMAGES, pdfs), 8);
        ObjectEvent pdfWithoutType = ObjectEvent.created("docs", "a.pdf", 1, "e", null);

        assertThat(router.mayMatch(pdfWithoutType)).as("content type unknown: worth a lookup").isTrue();
        assertThat(router.route(pdfWithoutType)).as("but not routed without it").isEmpty();
        assertThat(router.route(ObjectEvent.created("docs", "a.pdf", 1, "e", "application/pdf"))).hasSize(1);
        assertThat(router.mayMatch(ObjectEvent.created("thumbnails", "a.jpg", 1, "e", null))).isFalse();
        assertThat(router.mayMatch(event("notes.txt", Map.of()))).isFalse();
        assertThat(router.mayMatch(event("a.jpg", Map.of()))).isTrue();
    }

    @Test
    void metadataHelpers() {
        assertThat(SluiceMetadata.writtenBy(Map.of())).isNull();
        assertThat(SluiceMetadata.writtenBy(Map.of(SluiceMetadata.STEP, "a%2Fb"))).isEqualTo("a/b");
        assertThat(SluiceMetadata.writtenBy(Map.of(SluiceMetadata.STEP, "100%"))).isEqualTo("100%");
        assertThat(SluiceMetadata.depth(Map.of())).isZero();
        assertThat(SluiceMetadata.decode(SluiceMetadata.encode("pipe line/stëp+1"))).isEqualTo("pipe line/stëp+1");
    }
}
