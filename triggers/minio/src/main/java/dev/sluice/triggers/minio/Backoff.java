package dev.sluice.triggers.minio;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter: attempt {@code n} waits between half and all of
 * {@code min(max, first * 2^(n-1))}, so that many Sluice processes cut off by the same MinIO restart do not all
 * come back in the same instant.
 */
record Backoff(Duration first, Duration max) {

    Duration delay(int attempt) {
        long firstMillis = Math.max(1, first.toMillis());
        long cap = Math.max(firstMillis, max.toMillis());
        int doublings = Math.min(Math.max(attempt, 1) - 1, 30);
        long full = Math.min(cap, firstMillis << doublings);
        long half = full / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(full - half + 1));
    }
}
