package dev.sluice.triggers.minio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void doublesFromTheFirstDelayWithJitterOfAtMostHalf() {
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delay(1).toMillis()).isBetween(50L, 100L);
            assertThat(backoff.delay(2).toMillis()).isBetween(100L, 200L);
            assertThat(backoff.delay(4).toMillis()).isBetween(400L, 800L);
        }
    }

    @Test
    void neverExceedsTheCapHoweverManyAttempts() {
        for (int attempt : new int[] {7, 8, 30, 31, 1_000, Integer.MAX_VALUE}) {
            assertThat(backoff.delay(attempt).toMillis()).isBetween(2_500L, 5_000L);
        }
    }

    @Test
    void spreadsReconnectsOut() {
        long distinct = java.util.stream.IntStream.range(0, 50).mapToLong(i -> backoff.delay(6).toMillis())
                .distinct().count();
        assertThat(distinct).isGreaterThan(10);
    }
}
