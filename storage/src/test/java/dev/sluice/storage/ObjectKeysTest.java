package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"a.txt", "dir/sub/file.jpg", "folder/", "..hidden", "a/...", "a/..b", "%2e%2e/x",
            "spaces are fine.txt", "ünïcödé/ファイル.png", "a\\b"})
    void acceptsOrdinaryKeys(String key) {
        assertThatCode(() -> ObjectKeys.checkKey(key)).doesNotThrowAnyException();
        assertThatCode(() -> ObjectKeys.checkInside(Path.of("/data"), "bucket", key)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", ".", "../x", "a/../b", "a/./b", "a/..", "/abs", "\\abs", "a//b", "a\\..\\b",
            ".mpus-1-a-1", "nul\u0000byte", "line\nbreak"})
    void rejectsKeysThatAreNotPlainPaths(String key) {
        assertThatThrownBy(() -> ObjectKeys.checkKey(key)).isInstanceOf(ObjectKeys.InvalidNameException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "photos/", "photos/2024", "photos/..", "..partial", "a/."})
    void acceptsPrefixesWhoseFoldersStayInside(String prefix) {
        assertThatCode(() -> ObjectKeys.checkPrefix(prefix)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../", "a/../", "/", "//", "./x", "..\\x"})
    void rejectsPrefixesThatOpenOutsideFolders(String prefix) {
        assertThatThrownBy(() -> ObjectKeys.checkPrefix(prefix)).isInstanceOf(ObjectKeys.InvalidNameException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a/b", "a\\b", ""})
    void rejectsBucketsThatAreNotOneFolder(String bucket) {
        assertThatThrownBy(() -> ObjectKeys.checkBucket(bucket)).isInstanceOf(ObjectKeys.InvalidNameException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "Upper", "-dash", "dash-", "a..b", "under_score"})
    void newBucketsFollowS3Rules(String bucket) {
        assertThatThrownBy(() -> ObjectKeys.checkNewBucket(bucket)).isInstanceOf(ObjectKeys.InvalidNameException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "..", ""})
    void uploadIdsAreOpaqueTokens(String uploadId) {
        assertThatThrownBy(() -> ObjectKeys.checkUploadId(uploadId)).isInstanceOf(ObjectKeys.InvalidNameException.class);
    }
}
