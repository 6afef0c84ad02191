package dev.sluice.triggers.kafka;

import java.util.Map;
import java.util.TreeMap;

/**
 * How often each unfinished record of a partition has been delivered, written into the metadata of the group's
 * committed offset. Kafka keeps no delivery count, and a record that kills every worker that reads it (a native
 * crash, the OOM killer) would otherwise come back forever and stall its partition: with the counts in the commit,
 * the next worker knows and makes it a dead letter after {@code maxDeliver} deliveries.
 *
 * <p>Format: {@code sluice1 OFFSET:COUNT OFFSET:COUNT …}, lowest offsets first, cut to fit the broker's limit
 * ({@code offset.metadata.max.bytes}, 4096 by default). Other metadata (another tool's commit) reads as no counts.
 */
final class DeliveryCounts {
    static final String PREFIX = "sluice1";
    /** Well under the broker's default limit of 4096, leaving room for other brokers' smaller settings. */
    static final int MAX_LENGTH = 1024;

    private DeliveryCounts() {
    }

    static String encode(Map<Long, Integer> counts) {
        StringBuilder text = new StringBuilder(PREFIX);
        for (Map.Entry<Long, Integer> count : new TreeMap<>(counts).entrySet()) {
            String entry = " " + count.getKey() + ":" + count.getValue();
            if (text.length() + entry.length() > MAX_LENGTH) {
                break; // the lowest offsets matter most: they are the ones a crash loop stalls on
            }
            text.append(entry);
        }
        return text.toString();
    }

    static Map<Long, Integer> decode(String metadata) {
        Map<Long, Integer> counts = new TreeMap<>();
        if (metadata == null || !metadata.startsWith(PREFIX + " ")) {
            return counts;
        }
        for (String entry : metadata.substring(PREFIX.length() + 1).split(" ")) {
            int colon = entry.indexOf(':');
            try {
                long offset = Long.parseLong(entry.substring(0, colon));
                int count = Integer.parseInt(entry.substring(colon + 1));
                if (offset >= 0 && count > 0) {
                    counts.put(offset, count);
                }
            } catch (RuntimeException e) {
                // not ours or damaged: a record without a count starts again at 1, which is safe
            }
        }
        return counts;
    }
}
