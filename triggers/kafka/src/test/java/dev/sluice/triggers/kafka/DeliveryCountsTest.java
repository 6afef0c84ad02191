package dev.sluice.triggers.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DeliveryCountsTest {

    @Test
    void countsSurviveTheRoundTrip() {
        String text = DeliveryCounts.encode(Map.of(17L, 2, 12L, 1, 30L, 5));

        assertThat(text).isEqualTo("sluice1 12:1 17:2 30:5");
        assertThat(DeliveryCounts.decode(text)).containsExactly(Map.entry(12L, 1), Map.entry(17L, 2),
                Map.entry(30L, 5));
    }

    @Test
    void manyCountsAreCutToTheLimitKeepingTheLowestOffsets() {
        Map<Long, Integer> counts = new TreeMap<>();
        for (long offset = 1_000_000_000L; offset < 1_000_000_500L; offset++) {
            counts.put(offset, 3);
        }

        String text = DeliveryCounts.encode(counts);

        assertThat(text.length()).isLessThanOrEqualTo(DeliveryCounts.MAX_LENGTH);
        assertThat(DeliveryCounts.decode(text)).containsKey(1_000_000_000L).doesNotContainKey(1_000_000_499L);
    }

    @Test
    void otherMetadataAndDamagedEntriesReadAsNoCounts() {
        assertThat(DeliveryCounts.decode(null)).isEmpty();
        assertThat(DeliveryCounts.decode("")).isEmpty();
        assertThat(DeliveryCounts.decode("committed by kafka-consumer-groups.sh")).isEmpty();
        assertThat(DeliveryCounts.decode("sluice1 ")).isEmpty();
        assertThat(DeliveryCounts.decode("sluice1 12:x 13 -4:2 15:0 16:2")).containsExactly(Map.entry(16L, 2));
    }
}
