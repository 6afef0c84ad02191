package dev.sluice.functions.media;

import static dev.sluice.functions.media.MediaFixtures.clip;
import static dev.sluice.functions.media.MediaFixtures.corpus;
import static dev.sluice.functions.media.MediaFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.exec.LocalInvoker;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every decoder, encoder, filter graph, muxer, frame and packet is freed: the process stops growing. */
class NativeMemoryTest {
    @TempDir
    Path out;

    @Test
    void residentMemoryStaysFlatOverManyInvocations() throws Exception {
        Path clip = clip(320, 240, 1, true, true, -20);
        Path broken = corpus("malformed/media/sample_with_invalid_nalu.mp4");
        TranscodeFunction transcode = new TranscodeFunction();
        VideoPosterFunction poster = new VideoPosterFunction();
        // The first rounds grow the heap, JIT code and the allocator's per-thread arenas (x264 and the decoder
        // run threads); after that a leak shows as steady growth, round after round.
        long[] rss = new long[3];
        for (int i = 0; i < 120; i++) {
            LocalInvoker.Result transcoded = run(transcode, clip, out, "renditions", "120", "preset", "ultrafast");
            assertThat(transcoded.error()).isNull();
            run(poster, broken, out);
            if (i == 59 || i == 89 || i == 119) {
                System.gc();
                rss[(i - 59) / 30] = Pointer.physicalBytes();
            }
        }
        long growth = rss[2] - rss[0];
        System.out.printf("resident memory after 60, 90, 120 rounds: %d, %d, %d MB%n", rss[0] >> 20, rss[1] >> 20,
                rss[2] >> 20);
        // one leaked encoder or decoder per round would add several MB a round: 60 rounds, hundreds of MB
        assertThat(growth).isLessThan(32L << 20);
    }
}
