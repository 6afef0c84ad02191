package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatchTest {

    static ObjectEvent created(String bucket, String key, String contentType) {
        return ObjectEvent.created(bucket, key, 10, "etag", contentType);
    }

    static ObjectEvent removed(String bucket, String key) {
        return new ObjectEvent(bucket, key, -1, null, null, EventType.REMOVED, "ObjectRemoved:Delete", Instant.now(),
                null, null, Map.of());
    }

    static Match glob(String glob) {
        return new Match(null, null, null, glob, null, null);
    }

    @Test
    void emptyMatchTakesEveryCreatedEventOnly() {
        Match any = new Match(null, null, null, null, null, null);

        assertThat(any.events()).containsExactly(EventType.CREATED);
        assertThat(any.matches(created("b", "any/key", null))).isTrue();
        assertThat(any.matches(removed("b", "any/key"))).isFalse();
        assertThat(any.matchesLocation(created("b", "any/key", null))).isTrue();
    }

    @Test
    void bucketMustBeExact() {
        Match match = new Match("uploads", null, null, null, null, null);

        assertThat(match.matches(created("uploads", "a.jpg", null))).isTrue();
        assertThat(match.matches(created("Uploads", "a.jpg", null))).isFalse();
        assertThat(match.matches(created("uploads2", "a.jpg", null))).isFalse();
        assertThat(match.matches(created("upload", "a.jpg", null))).isFalse();
    }

    @Test
    void prefixIsCaseSensitive() {
        Match match = new Match(null, "photos/", null, null, null, null);

        assertThat(match.matches(created("b", "photos/a.jpg", null))).isTrue();
        assertThat(match.matches(created("b", "photos/deep/a.jpg", null))).isTrue();
        assertThat(match.matches(created("b", "Photos/a.jpg", null))).isFalse();
        assertThat(match.matches(created("b", "photosx/a.jpg", null))).isFalse();
        assertThat(match.matches(created("b", "other/photos/a.jpg", null))).isFalse();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "a.jpg, true", "A.JPG, true", "dir/b.Jpeg, true", "c.png, true", "d.PNG, true",
            "e.gif, false", "jpg, false", "f.jpg.txt, false", "g.xjpg, false", "h.tar.jpeg, true"
    })
    void suffixesAreCaseInsensitive(String key, boolean expected) {
        Match match = new Match(null, null, List.of(".jpg", ".JPEG", ".png"), null, null, null);
        assertThat(match.matches(created("b", key, null))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "*.jpg                | a.jpg                | true",
            "*.jpg                | dir/a.jpg            | false",
            "*.jpg                | .jpg                 | true",
            "*.jpg                | a.JPG                | false",
            "**.jpg               | dir/sub/a.jpg        | true",
            "**/*.jpg             | a.jpg                | true",
            "**/*.jpg             | dir/sub/a.jpg        | true",
            "**/*.jpg             | dir/sub/a.png        | false",
            "photos/**            | photos/a/b/c.jpg     | true",
            "photos/**            | photos/              | true",
            "photos/**            | other/a.jpg          | false",
            "photos/*/*.jpg       | photos/2024/a.jpg    | true",
            "photos/*/*.jpg       | photos/a.jpg         | false",
            "photos/*/*.jpg       | photos/2024/05/a.jpg | false",
            "photos/**/raw/*.cr2  | photos/raw/a.cr2     | true",
            "photos/**/raw/*.cr2  | photos/x/y/raw/a.cr2 | true",
            "img-?.png            | img-1.png            | true",
            "img-?.png            | img-12.png           | false",
            "img-?.png            | img-/.png            | false",
            "*.{jpg,png}          | a.png                | true",
            "*.{jpg,png}          | a.jpg                | true",
            "*.{jpg,png}          | a.gif                | false",
            "**/*.{jpg,jpeg,png}  | x/y/z.jpeg           | true",
            "{raw,cooked}/*       | raw/a                | true",
            "{raw,cooked}/*       | cooked/b             | true",
            "{raw,cooked}/*       | stale/c              | false",
            "a.b                  | a.b                  | true",
            "a.b                  | axb                  | false",
            "a+b(c)[d]$^.txt      | a+b(c)[d]$^.txt      | true",
            "a+b(c)[d]$^.txt      | aab(c)[d]$^.txt      | false",
            "\\Q*\\E              | \\Qx\\E              | true",
            "{unclosed            | {unclosed            | true",
            "**                   | anything/at/all      | true",
            "*                    | a/b                  | false",
    })
    void globs(String glob, String key, boolean expected) {
        assertThat(glob(glob).matches(created("b", key, null))).isEqualTo(expected);
    }

    @Test
    void globMatchesKeysWithLineBreaks() {
        assertThat(glob("*.jpg").matches(created("b", "evil\nname.jpg", null))).isTrue();
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "image/jpeg                   | image/jpeg            | true",
            "IMAGE/JPEG                   | image/jpeg            | true",
            "image/jpeg; charset=x        | image/jpeg            | true",
            "image/jpeg;charset=x         | image/jpeg            | true",
            "image/png                    | image/jpeg            | false",
            "image/png                    | image/*               | true",
            "image/svg+xml; charset=utf-8 | image/*               | true",
            "imagex/png                   | image/*               | false",
            "application/pdf              | image/*               | false",
            "application/pdf              | */*                   | true",
            "text/plain                   | Text/Plain            | true",
            "' image/jpeg '               | image/jpeg            | true",
    })
    void contentTypes(String contentType, String wanted, boolean expected) {
        Match match = new Match(null, null, null, null, List.of(wanted), null);
        assertThat(match.matches(created("b", "k", contentType))).isEqualTo(expected);
        assertThat(match.matchesLocation(created("b", "k", null))).as("location alone ignores the type").isTrue();
    }

    @Test
    void severalContentTypesAreAlternatives() {
        Match match = new Match(null, null, null, null, List.of("image/*", "application/pdf"), null);

        assertThat(match.matches(created("b", "k", "image/webp"))).isTrue();
        assertThat(match.matches(created("b", "k", "application/pdf"))).isTrue();
        assertThat(match.matches(created("b", "k", "video/mp4"))).isFalse();
    }

    @Test
    void missingContentTypeDoesNotMatchAContentTypeFilterButItsLocationDoes() {
        Match match = new Match("b", "in/", List.of(".jpg"), null, List.of("image/*"), null);
        assertThat(match.matches(created("b", "in/k.jpg", null))).isFalse();
        assertThat(match.matchesLocation(created("b", "in/k.jpg", null))).isTrue();
        assertThat(match.matchesLocation(created("b", "out/k.jpg", null))).isFalse();
        assertThat(match.matchesLocation(created("c", "in/k.jpg", null))).isFalse();
        assertThat(match.matchesLocation(created("b", "in/k.png", null))).isFalse();
        assertThat(match.matchesLocation(removed("b", "in/k.jpg"))).isFalse();
    }

    @Test
    void theSameGlobGivesTheSameAnswerEveryTime() {
        Match match = glob("**/*.{jpg,png}");
        for (int i = 0; i < 3; i++) {
            assertThat(match.matches(created("b", "a/b.png", null))).isTrue();
            assertThat(match.matches(created("b", "a/b.gif", null))).isFalse();
        }
    }

    @Test
    void eventTypes() {
        Match removedOnly = new Match(null, null, null, null, null, Set.of(EventType.REMOVED));
        Match both = new Match(null, null, null, null, null, Set.of(EventType.CREATED, EventType.REMOVED));

        assertThat(removedOnly.matches(removed("b", "k"))).isTrue();
        assertThat(removedOnly.matches(created("b", "k", null))).isFalse();
        assertThat(both.matches(removed("b", "k"))).isTrue();
        assertThat(both.matches(created("b", "k", null))).isTrue();
        assertThat(new Match(null, null, null, null, null, Set.of()).events()).containsExactly(EventType.CREATED);
    }

    @Test
    void everyCriterionMustHold() {
        Match match = new Match("uploads", "photos/", List.of(".jpg"), "photos/**", List.of("image/*"),
                Set.of(EventType.CREATED));

        assertThat(match.matches(created("uploads", "photos/a/b.jpg", "image/jpeg"))).isTrue();
        assertThat(match.matches(created("other", "photos/a/b.jpg", "image/jpeg"))).isFalse();
        assertThat(match.matches(created("uploads", "docs/a/b.jpg", "image/jpeg"))).isFalse();
        assertThat(match.matches(created("uploads", "photos/a/b.png", "image/png"))).isFalse();
        assertThat(match.matches(created("uploads", "photos/a/b.jpg", "text/plain"))).isFalse();
        assertThat(match.matches(removed("uploads", "photos/a/b.jpg"))).isFalse();
    }

    @Test
    void listsAreCopied() {
        List<String> suffixes = new java.util.ArrayList<>(List.of(".jpg"));
        Match match = new Match(null, null, suffixes, null, null, null);
        suffixes.add(".png");
        assertThat(match.suffixes()).containsExactly(".jpg");
    }
}
