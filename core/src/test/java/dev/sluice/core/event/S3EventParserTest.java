package dev.sluice.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3EventParserTest {

    static byte[] resource(String name) {
        try (InputStream in = S3EventParserTest.class.getResourceAsStream("/events/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource events/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record with the given raw (still encoded) key and object fields. */
    static String record(String eventName, String bucket, String rawKey, String objectExtra) {
        return """
                {"eventName": "%s", "eventTime": "2024-05-14T09:21:43.517Z",
                 "s3": {"bucket": {"name": "%s"}, "object": {"key": "%s"%s}}}"""
                .formatted(eventName, bucket, rawKey, objectExtra.isEmpty() ? "" : ", " + objectExtra);
    }

    static ObjectEvent single(String rawKey) {
        List<ObjectEvent> events = S3EventParser.parse(
                "{\"Records\": [" + record("ObjectCreated:Put", "b", rawKey, "") + "]}");
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Nested
    class AwsBodies {
        @Test
        void putEventFromTheAwsDocumentationShape() {
            List<ObjectEvent> events = S3EventParser.parse(resource("aws-put.json"));

            assertThat(events).hasSize(1);
            ObjectEvent event = events.get(0);
            assertThat(event.bucket()).isEqualTo("uploads");
            assertThat(event.key()).isEqualTo("trips/2024/Sommer Fotos/Strand+Ärger (1).jpg");
            assertThat(event.size()).isEqualTo(2483167L);
            assertThat(event.hasSize()).isTrue();
            assertThat(event.eTag()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
            assertThat(event.contentType()).as("AWS notifications carry no content type").isNull();
            assertThat(event.eventType()).isEqualTo(EventType.CREATED);
            assertThat(event.eventName()).isEqualTo("ObjectCreated:Put");
            assertThat(event.time()).isEqualTo(Instant.parse("2024-05-14T09:21:43.517Z"));
            assertThat(event.versionId()).isEqualTo("096fKKXTRTtl3on89fVO.nfljtsv6qko");
            assertThat(event.sequencer()).isEqualTo("0055AED6DCD90281E5");
            assertThat(event.userMetadata()).isEmpty();
            assertThat(event.location()).isEqualTo("s3://uploads/trips/2024/Sommer Fotos/Strand+Ärger (1).jpg");
        }

        @Test
        void testEventYieldsNoEvents() {
            assertThat(S3EventParser.parse(resource("aws-test-event.json"))).isEmpty();
        }

        @Test
        void deleteEventWithoutSizeOrETag() {
            ObjectEvent event = S3EventParser.parse(resource("aws-delete.json")).get(0);

            assertThat(event.eventType()).isEqualTo(EventType.REMOVED);
            assertThat(event.eventName()).isEqualTo("ObjectRemoved:Delete");
            assertThat(event.key()).isEqualTo("trips/2024/old.jpg");
            assertThat(event.size()).isEqualTo(-1L);
            assertThat(event.hasSize()).isFalse();
            assertThat(event.eTag()).isNull();
        }

        @Test
        void severalRecordsKeepTheirOrderAndQuotedETagsAreStripped() {
            List<ObjectEvent> events = S3EventParser.parse(resource("aws-multi.json"));

            assertThat(events).extracting(ObjectEvent::key)
                    .containsExactly("raw/holiday.mp4", "raw/holiday-copy.mp4", "raw/old.mp4");
            assertThat(events).extracting(ObjectEvent::eventType)
                    .containsExactly(EventType.CREATED, EventType.CREATED, EventType.REMOVED);
            assertThat(events).extracting(ObjectEvent::eTag).containsExactly(
                    "6f1c1d4f0c8a3f9e2b7a5d3c1e0f9a8b-88", "6f1c1d4f0c8a3f9e2b7a5d3c1e0f9a8b-88", null);
            assertThat(events.get(0).eventName()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
            assertThat(events.get(2).versionId()).isEqualTo("3HL4kqtJlcpXroDTDmjVBH40Nrjfkd");
        }
    }

    @Nested
    class MinioBodies {
        @Test
        void webhookWrapperWithPrefixedNamesEscapedKeyAndUserMetadata() {
            List<ObjectEvent> events = S3EventParser.parse(resource("minio-put.json"));

            assertThat(events).hasSize(1);
            ObjectEvent event = events.get(0);
            assertThat(event.bucket()).isEqualTo("uploads");
            // MinIO query-escapes the key: %2F for '/', '+' for a space, %2B for a plus.
            assertThat(event.key()).isEqualTo("trips/2024/my cat+dog.JPG");
            assertThat(event.eventType()).isEqualTo(EventType.CREATED);
            assertThat(event.eventName()).as("s3: prefix removed").isEqualTo("ObjectCreated:Put");
            assertThat(event.size()).isEqualTo(224662L);
            assertThat(event.eTag()).isEqualTo("5fc7298143efe1276d39a3466d4e255f");
            assertThat(event.contentType()).isEqualTo("image/jpeg");
            assertThat(event.sequencer()).isEqualTo("17CF5A1E0F9D1C44");
            // Lower-case names without the x-amz-meta- prefix; content-type is not user metadata.
            assertThat(event.userMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "camera", "X100V",
                    "album", "Sommer%202024"));
        }

        @Test
        void contentTypeFromUserMetadataWhenTheFieldIsMissing() {
            ObjectEvent event = S3EventParser.parse(resource("minio-put-no-contenttype-field.json")).get(0);

            assertThat(event.key()).isEqualTo("scans/invoice 2024-05.pdf");
            assertThat(event.contentType()).isEqualTo("application/pdf");
            assertThat(event.userMetadata()).doesNotContainKey("content-type");
        }

        @Test
        void removedEvent() {
            ObjectEvent event = S3EventParser.parse(resource("minio-delete.json")).get(0);

            assertThat(event.eventType()).isEqualTo(EventType.REMOVED);
            assertThat(event.eventName()).isEqualTo("ObjectRemoved:Delete");
            assertThat(event.key()).isEqualTo("trips/2024/old.jpg");
            assertThat(event.size()).isEqualTo(-1L);
            assertThat(event.eTag()).isNull();
            assertThat(event.contentType()).isNull();
            assertThat(event.userMetadata()).isEmpty();
        }

        @Test
        void multipartUpload() {
            ObjectEvent event = S3EventParser.parse(resource("minio-multipart.json")).get(0);

            assertThat(event.bucket()).isEqualTo("videos");
            assertThat(event.key()).isEqualTo("raw/holiday.mp4");
            assertThat(event.eventType()).isEqualTo(EventType.CREATED);
            assertThat(event.eventName()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
            assertThat(event.eTag()).isEqualTo("6f1c1d4f0c8a3f9e2b7a5d3c1e0f9a8b-88");
            assertThat(event.versionId()).isEqualTo("f3e3c7a1-2b4d-4e8f-9a0b-1c2d3e4f5a6b");
            assertThat(event.contentType()).isEqualTo("video/mp4");
        }

        @Test
        void outputWrittenBySluiceCarriesItsOriginInUserMetadata() {
            ObjectEvent event = S3EventParser.parse(resource("minio-sluice-output.json")).get(0);

            assertThat(event.userMetadata()).containsEntry("sluice-step", "thumbnails%2Fthumbnail")
                    .containsEntry("sluice-depth", "1")
                    .containsEntry("sluice-source-etag", "d41d8cd98f00b204e9800998ecf8427e")
                    .containsEntry("sluice-source", "uploads%2Ftrips%2Fbeach.jpg");
        }
    }

    @Nested
    class Keys {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
                "photo.jpg                       | photo.jpg",
                "my+photo.jpg                    | my photo.jpg",
                "a%2Bb.jpg                       | a+b.jpg",
                "a%2bb.jpg                       | a+b.jpg",
                "dir%2Fsub%2Ffile.png            | dir/sub/file.png",
                "dir/sub/file.png                | dir/sub/file.png",
                "%C3%84rger.jpg                  | Ärger.jpg",
                "%E6%97%A5%E6%9C%AC%E8%AA%9E.png | 日本語.png",
                "%F0%9F%93%B7.jpg                | 📷.jpg",
                "100%25+sure.txt                 | 100% sure.txt",
                "%2E%2E%2Fetc%2Fpasswd           | ../etc/passwd",
                "a%26b%3Dc%3F.txt                | a&b=c?.txt",
                "plus+%2B+space                  | plus + space",
        })
        void keysAreFormDecoded(String raw, String decoded) {
            assertThat(single(raw).key()).isEqualTo(decoded);
        }

        @ParameterizedTest
        @ValueSource(strings = {"100%.jpg", "bad%zzescape.jpg", "trailing%", "half%4"})
        void brokenPercentEncodingIsAParseErrorNamingTheKey(String raw) {
            assertThatThrownBy(() -> single(raw))
                    .isInstanceOf(EventParseException.class)
                    .hasMessageContaining("not valid URL encoding")
                    .hasMessageContaining(raw);
        }
    }

    @Nested
    class Tolerance {
        @Test
        void missingSizeETagTimeAndEventNameAreTolerated() {
            List<ObjectEvent> events = S3EventParser.parse(
                    "{\"Records\":[{\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k.jpg\"}}}]}");

            ObjectEvent event = events.get(0);
            assertThat(event.size()).isEqualTo(-1L);
            assertThat(event.eTag()).isNull();
            assertThat(event.time()).isNotNull();
            assertThat(event.eventType()).isEqualTo(EventType.OTHER);
            assertThat(event.eventName()).isEmpty();
        }

        @Test
        void sizeThatIsNotANumberCountsAsUnknown() {
            assertThat(S3EventParser.parse("{\"Records\":[" + record("ObjectCreated:Put", "b", "k",
                    "\"size\": \"object-size in bytes\"") + "]}").get(0).size()).isEqualTo(-1L);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\\\"abc123\\\"", "abc123", "  \\\"abc123\\\"  "})
        void eTagQuotesAreStripped(String eTag) {
            ObjectEvent event = S3EventParser.parse("{\"Records\":[" + record("ObjectCreated:Put", "b", "k",
                    "\"eTag\": \"" + eTag + "\"") + "]}").get(0);
            assertThat(event.eTag()).isEqualTo("abc123");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"\"", "null", "\"  \""})
        void blankETagIsUnknown(String eTagJson) {
            assertThat(S3EventParser.parse("{\"Records\":[" + record("ObjectCreated:Put", "b", "k",
                    "\"eTag\": " + eTagJson) + "]}").get(0).eTag()).isNull();
        }

        @Test
        void unparseableTimeFallsBackToNow() {
            Instant before = Instant.now();
            ObjectEvent event = S3EventParser.parse("{\"Records\":[{\"eventName\":\"ObjectCreated:Put\","
                    + "\"eventTime\":\"yesterday\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}")
                    .get(0);
            assertThat(event.time()).isAfterOrEqualTo(before);
        }

        @Test
        void emptyRecordsArrayIsNoEvents() {
            assertThat(S3EventParser.parse("{\"Records\": []}")).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
                "s3:ObjectCreated:Put, CREATED",
                "ObjectCreated:Post, CREATED",
                "s3:ObjectCreated:Copy, CREATED",
                "ObjectCreated:CompleteMultipartUpload, CREATED",
                "s3:ObjectRemoved:Delete, REMOVED",
                "ObjectRemoved:DeleteMarkerCreated, REMOVED",
                "s3:ObjectAccessed:Get, OTHER",
                "s3:ObjectRestore:Completed, OTHER",
                "s3:Replication:OperationFailedReplication, OTHER",
        })
        void eventNamesMapToTypes(String name, EventType type) {
            ObjectEvent event = S3EventParser.parse("{\"Records\":[" + record(name, "b", "k", "") + "]}").get(0);
            assertThat(event.eventType()).isEqualTo(type);
            assertThat(event.eventName()).doesNotStartWith("s3:");
        }

        @Test
        void userMetadataNamesAreLowerCasedAndUnprefixed() {
            ObjectEvent event = S3EventParser.parse("{\"Records\":[" + record("s3:ObjectCreated:Put", "b", "k",
                    "\"userMetadata\": {\"X-Amz-Meta-Sluice-Depth\": \"2\", \"x-amz-meta-owner\": \"ann\","
                            + " \"Content-Type\": \"text/plain\", \"Cache-Control\": \"no-cache\"}") + "]}").get(0);

            assertThat(event.contentType()).isEqualTo("text/plain");
            assertThat(event.userMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "sluice-depth", "2", "owner", "ann", "cache-control", "no-cache"));
        }

        @Test
        void contentTypeFieldWinsOverUserMetadata() {
            ObjectEvent event = S3EventParser.parse("{\"Records\":[" + record("s3:ObjectCreated:Put", "b", "k",
                    "\"contentType\": \"image/png\", \"userMetadata\": {\"content-type\": \"application/octet-stream\"}")
                    + "]}").get(0);
            assertThat(event.contentType()).isEqualTo("image/png");
            assertThat(event.userMetadata()).isEmpty();
        }

        @Test
        void parseAcceptsStringsBytesAndTrees() throws IOException {
            byte[] body = resource("minio-put.json");
            List<ObjectEvent> fromBytes = S3EventParser.parse(body);
            List<ObjectEvent> fromString = S3EventParser.parse(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            List<ObjectEvent> fromTree = S3EventParser.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body));
            assertThat(fromString).usingRecursiveFieldByFieldElementComparatorIgnoringFields("time")
                    .isEqualTo(fromBytes).isEqualTo(fromTree);
        }
    }

    @Nested
    class Malformed {
        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {
                "{\"Records\": [",
                "{Records: []}",
                "not json at all",
                "{\"Records\": []} trailing garbage",
                "{\"Records\": []}}",
                "{\"Records\": [{\"s3\": {}},]}",
        })
        void invalidJsonIsRejected(String body) {
            assertThatThrownBy(() -> S3EventParser.parse(body))
                    .isInstanceOf(EventParseException.class)
                    .hasMessageContaining("not valid JSON");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"[]", "[{\"Records\": []}]", "\"Records\"", "42", "null", "true", "   "})
        void notAnObjectIsRejected(String body) {
            assertThatThrownBy(() -> S3EventParser.parse(body))
                    .isInstanceOf(EventParseException.class)
                    .hasMessageContaining("JSON object")
                    .hasMessageContaining("Records");
        }

        @Test
        void emptyAndNullBodiesAreRejected() {
            assertThatThrownBy(() -> S3EventParser.parse(new byte[0]))
                    .isInstanceOf(EventParseException.class).hasMessageContaining("Empty");
            assertThatThrownBy(() -> S3EventParser.parse((String) null))
                    .isInstanceOf(EventParseException.class).hasMessageContaining("Empty");
            assertThatThrownBy(() -> S3EventParser.parse((com.fasterxml.jackson.databind.JsonNode) null))
                    .isInstanceOf(EventParseException.class);
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {
                "{}",
                "{\"EventName\": \"s3:ObjectCreated:Put\", \"Key\": \"b/k\"}",
                "{\"Records\": {\"s3\": {}}}",
                "{\"Records\": \"none\"}",
                "{\"records\": []}",
                "{\"Event\": \"s3:ObjectCreated:Put\"}",
        })
        void withoutRecordsArrayIsRejectedWithAHint(String body) {
            assertThatThrownBy(() -> S3EventParser.parse(body))
                    .isInstanceOf(EventParseException.class)
                    .hasMessageContaining("\"Records\"")
                    .hasMessageContaining("S3 or MinIO event notification");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {
                "{\"eventName\": \"ObjectCreated:Put\", \"s3\": {\"object\": {\"key\": \"k\"}}}",
                "{\"eventName\": \"ObjectCreated:Put\", \"s3\": {\"bucket\": {}, \"object\": {\"key\": \"k\"}}}",
                "{\"eventName\": \"ObjectCreated:Put\", \"s3\": {\"bucket\": {\"name\": \"\"}, \"object\": {\"key\": \"k\"}}}",
                "{\"eventName\": \"ObjectCreated:Put\", \"s3\": {\"bucket\": {\"name\": \"b\"}, \"object\": {}}}",
                "{\"eventName\": \"ObjectCreated:Put\", \"s3\": {\"bucket\": {\"name\": \"b\"}, \"object\": {\"key\": \"\"}}}",
                "{\"eventName\": \"ObjectCreated:Put\"}",
                "42",
                "null",
        })
        void recordWithoutBucketOrKeyIsRejectedNamingTheRecord(String secondRecord) {
            String body = "{\"Records\": [" + record("ObjectCreated:Put", "b", "ok.jpg", "") + ", " + secondRecord + "]}";
            assertThatThrownBy(() -> S3EventParser.parse(body))
                    .isInstanceOf(EventParseException.class)
                    .hasMessageContaining("Record 1")
                    .hasMessageContaining("s3.bucket.name");
        }

        @Test
        void parseErrorsAreBadInputSoTheyAreNeverRetried() {
            assertThatThrownBy(() -> S3EventParser.parse("nope"))
                    .isInstanceOf(dev.sluice.core.BadInputException.class);
        }
    }

    /** MinIO's listen API publishes keys unescaped; parsing them as plain keeps '+', '%' and spaces. */
    @Nested
    class PlainKeys {
        @ParameterizedTest
        @ValueSource(strings = {"my cat+dog.JPG", "100%25 done/a%2Fb.txt", "caf\u00e9/\u65e5\u672c 1+1=2.png", "a+b%41"})
        void keysAreTakenAsWritten(String key) throws Exception {
            String body = "{\"Records\": [" + record("s3:ObjectCreated:Put", "uploads",
                    key.replace("\\", "\\\\").replace("\"", "\\\""), "\"size\": 3") + "]}";
            List<ObjectEvent> events = S3EventParser.parse(
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(body), S3EventParser.KeyEncoding.PLAIN);

            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.key()).isEqualTo(key);
                assertThat(e.bucket()).isEqualTo("uploads");
                assertThat(e.eventType()).isEqualTo(EventType.CREATED);
            });
        }

        @Test
        void formEncodedStaysTheDefault() throws Exception {
            String body = "{\"Records\": [" + record("s3:ObjectCreated:Put", "uploads", "a+b%41", "") + "]}";
            assertThat(S3EventParser.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body)))
                    .singleElement().extracting(ObjectEvent::key).isEqualTo("a bA");
        }
    }
}
