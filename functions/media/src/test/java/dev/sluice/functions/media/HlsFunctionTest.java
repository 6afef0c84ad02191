package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.probe;
import static dev.sluice.functions.media.MediaFixtures.runOk;
import static dev.sluice.functions.media.MediaFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.exec.LocalInvoker;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HlsFunctionTest {
    private static final Pattern ATTRIBUTE = Pattern.compile("([A-Z-]+)=(\"[^\"]*\"|[^,]*)");

    @TempDir
    Path out;

    private final HlsFunction function = new HlsFunction();

    @Test
    void segmentsAreStoredWhileTheRestIsStillEncoding() throws Exception {
        Path input = clip(320, 240, 8, true, false, -20);
        java.util.concurrent.atomic.AtomicBoolean storedEarly = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean waited = new java.util.concurrent.atomic.AtomicBoolean();
        List<LocalInvoker.Result> results = LocalInvoker.invoke(function,
                dev.sluice.core.function.Parameters.of(function, Map.of("renditions", "120", "preset", "ultrafast",
                        "segment-duration", "1", "keyframe-interval", "1")),
                List.of(input), out, 1, java.time.Duration.ofMinutes(2), r -> { }, (file, fraction) -> {
                    // halfway through, the encoder (this thread) waits until the first segment is in the output
                    // folder: it can only get there if segments are stored while encoding goes on
                    if (fraction >= 0.5 && fraction < 0.9 && waited.compareAndSet(false, true)) {
                        long until = System.nanoTime() + 20_000_000_000L;
                        while (System.nanoTime() < until && !storedEarly.get()) {
                            storedEarly.set(Files.exists(out.resolve("clip-320x240-8.0s-v--20dB-120p-00001.ts")));
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }
                });
        assertThat(results.get(0).error()).isNull();
        assertThat(waited).as("progress passed the middle").isTrue();
        assertThat(storedEarly).as("the first segment was stored while the rest was still encoding").isTrue();
        assertThat(results.get(0).outputs()).filteredOn(p -> p.toString().endsWith(".ts")).hasSizeGreaterThan(5);
    }

    @Test
    void masterAndMediaPlaylistsReferToSegmentsThatExist() throws Exception {
        Path input = clip(320, 240, 4, true, true, -20);
        LocalInvoker.Result result = runOk(function, input, out, "renditions", "240,120", "preset", "ultrafast",
                "segment-duration", "2", "keyframe-interval", "1");
        Path master = out.resolve("clip-320x240-4.0s-va--20dB.m3u8");
        assertThat(result.outputs()).contains(master);

        List<String> lines = Files.readAllLines(master);
        assertThat(lines.get(0)).isEqualTo("#EXTM3U");
        List<Map<String, String>> variants = new ArrayList<>();
        List<Path> playlists = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("#EXT-X-STREAM-INF:")) {
                variants.add(attributes(lines.get(i).substring("#EXT-X-STREAM-INF:".length())));
                playlists.add(resolve(master, lines.get(i + 1)));
            }
        }
        assertThat(variants).hasSize(2);
        assertThat(variants).extracting(v -> v.get("RESOLUTION")).containsExactly("320x240", "160x120");
        for (int v = 0; v < variants.size(); v++) {
            Map<String, String> variant = variants.get(v);
            assertThat(Long.parseLong(variant.get("BANDWIDTH"))).isPositive();
            assertThat(variant.get("CODECS")).matches("\"avc1\\.6400[0-9a-f]{2},mp4a\\.40\\.2\"");
            Path playlist = playlists.get(v);
            assertThat(playlist).exists();
            double total = 0;
            List<String> media = Files.readAllLines(playlist);
            assertThat(media).contains("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST");
            long target = media.stream().filter(l -> l.startsWith("#EXT-X-TARGETDURATION:"))
                    .mapToLong(l -> Long.parseLong(l.substring(22))).findFirst().orElseThrow();
            int segments = 0;
            for (int i = 0; i < media.size(); i++) {
                if (media.get(i).startsWith("#EXTINF:")) {
                    String value = media.get(i).substring(8);
                    double duration = Double.parseDouble(value.substring(0, value.indexOf(',')));
                    assertThat(Math.round(duration)).isLessThanOrEqualTo(target);
                    total += duration;
                    Path segment = resolve(playlist, media.get(i + 1));
                    assertThat(segment).exists();
                    MediaInfo info = probe(segment);
                    assertThat(info.container()).isEqualTo("mpegts");
                    assertThat(variant.get("RESOLUTION")).isEqualTo(video(info).width() + "x" + video(info).height());
                    assertThat(info.hasAudio()).isTrue();
                    segments++;
                }
            }
            assertThat(segments).isEqualTo(2);
            assertThat(total).isCloseTo(4.0, within(0.1));
        }
        // every output is referenced: nothing is left over that the playlists do not mention
        assertThat(result.outputs()).hasSize(1 + 2 + 2 * 2);
    }

    @Test
    void fragmentedMp4SegmentsHaveAnInitializationSegmentInTheirPlaylist() throws Exception {
        Path input = clip(320, 240, 4, true, true, -20);
        LocalInvoker.Result result = runOk(function, input, out, "renditions", "240", "preset", "ultrafast",
                "segment-duration", "2", "keyframe-interval", "1", "segment-format", "fmp4");

        Path master = out.resolve("clip-320x240-4.0s-va--20dB.m3u8");
        assertThat(Files.readAllLines(master)).contains("#EXT-X-VERSION:7");
        Path playlist = out.resolve("clip-320x240-4.0s-va--20dB-240p.m3u8");
        List<String> media = Files.readAllLines(playlist);
        assertThat(media).contains("#EXT-X-VERSION:7", "#EXT-X-ENDLIST");
        String map = media.stream().filter(l -> l.startsWith("#EXT-X-MAP:")).findFirst().orElseThrow();
        Path init = resolve(playlist, attributes(map.substring("#EXT-X-MAP:".length())).get("URI").replace("\"", ""));
        assertThat(init.getFileName().toString()).isEqualTo("clip-320x240-4.0s-va--20dB-240p-init.mp4");
        assertThat(init).exists();

        double total = 0;
        int segments = 0;
        for (int i = 0; i < media.size(); i++) {
            if (media.get(i).startsWith("#EXTINF:")) {
                String value = media.get(i).substring(8);
                total += Double.parseDouble(value.substring(0, value.indexOf(',')));
                Path segment = resolve(playlist, media.get(i + 1));
                assertThat(segment.getFileName().toString()).endsWith(".m4s");
                // a player joins the initialization segment and a media segment: that must be a playable MP4
                Path joined = out.resolve("joined-" + segments + ".mp4");
                Files.write(joined, Files.readAllBytes(init));
                Files.write(joined, Files.readAllBytes(segment), java.nio.file.StandardOpenOption.APPEND);
                MediaInfo info = probe(joined);
                assertThat(info.container()).contains("mp4");
                assertThat(video(info).width() + "x" + video(info).height()).isEqualTo("320x240");
                assertThat(info.hasAudio()).isTrue();
                Files.delete(joined);
                segments++;
            }
        }
        assertThat(segments).isEqualTo(2);
        assertThat(total).isCloseTo(4.0, within(0.1));
        assertThat(result.outputs()).hasSize(1 + 1 + 1 + 2); // master, playlist, init, segments
    }

    @Test
    void audioOnlyInputGivesAnAudioOnlyPackage() throws Exception {
        LocalInvoker.Result result = runOk(function, corpus("media/tika/testMP3id3v2.mp3"), out,
                "segment-duration", "2");
        String master = Files.readString(out.resolve("testMP3id3v2.m3u8"));
        assertThat(master).contains("CODECS=\"mp4a.40.2\"").doesNotContain("RESOLUTION");
        assertThat(master).contains("testMP3id3v2-audio.m3u8");
        assertThat(result.outputs()).anySatisfy(p -> assertThat(p.getFileName().toString())
                .isEqualTo("testMP3id3v2-audio-00001.ts"));
    }

    @Test
    void playlistNamesFollowTheTemplateNamingEvenForOddInputNames() {
        assertThat(HlsFunction.baseName("videos/2024/My Trip #1.final.mov")).isEqualTo("My Trip #1.final");
        assertThat(HlsFunction.uri("My Trip #1.final",
                dev.sluice.core.function.OutputSpec.of("-720p", "m3u8", HlsFunction.PLAYLIST_TYPE)))
                .isEqualTo("My%20Trip%20%231.final-720p.m3u8");
    }

    private static Path resolve(Path playlist, String uri) {
        return playlist.resolveSibling(URLDecoder.decode(uri, StandardCharsets.UTF_8));
    }

    private static Map<String, String> attributes(String list) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher matcher = ATTRIBUTE.matcher(list);
        while (matcher.find()) {
            attributes.put(matcher.group(1), matcher.group(2));
        }
        return attributes;
    }
}
