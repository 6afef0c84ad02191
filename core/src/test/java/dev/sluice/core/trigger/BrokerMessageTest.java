package dev.sluice.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.event.MinioEvents;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerMessageTest {

    /** A message that writes down how it was settled. */
    static final class Recorded implements BrokerMessage {
        final byte[] body;
        final long deliveries;
        final List<String> settlements = new ArrayList<>();
        int progress;

        Recorded(byte[] body, long deliveries) {
            this.body = body;
            this.deliveries = deliveries;
        }

        @Override
        public byte[] body() {
            return body;
        }

        @Override
        public long deliveries() {
            return deliveries;
        }

        @Override
        public void finished() {
            settlements.add("finished");
        }

        @Override
        public void handBack() {
            settlements.add("handed back");
        }

        @Override
        public void redeliverLater(String failure) {
            settlements.add("again: " + failure);
        }

        @Override
        public void deadLetter(String reason) {
            settlements.add("dead letter: " + reason);
        }

        @Override
        public void inProgress() {
            progress++;
        }
    }

    static final byte[] EVENT = MinioEvents.created("uploads", "photo.jpg", 10);

    @Test
    void acknowledgedEventsFinishTheMessage() {
        Recorded message = new Recorded(EVENT, 1);

        BrokerMessage.handle(message, 3, (event, ack) -> {
            assertThat(event.key()).isEqualTo("photo.jpg");
            ack.inProgress();
            ack.ack();
        }, () -> true);

        assertThat(message.settlements).containsExactly("finished");
        assertThat(message.progress).isEqualTo(1);
    }

    @Test
    void aFailureIsDeliveredAgainUntilTheLastDeliveryThenDeadLettered() {
        Recorded second = new Recorded(EVENT, 2);
        Recorded third = new Recorded(EVENT, 3);

        BrokerMessage.handle(second, 3, (event, ack) -> ack.nack("store down"), () -> true);
        BrokerMessage.handle(third, 3, (event, ack) -> ack.nack("store down"), () -> true);

        assertThat(second.settlements).containsExactly("again: store down");
        assertThat(third.settlements).containsExactly("dead letter: failed on each of 3 deliveries; last: store down");
    }

    @Test
    void aFailureWhileStoppingIsHandedBack() {
        Recorded message = new Recorded(EVENT, 3);

        BrokerMessage.handle(message, 3, (event, ack) -> ack.nack("Sluice is stopping"), () -> false);

        assertThat(message.settlements).containsExactly("handed back");
    }

    @Test
    void aMessageDeliveredTooOftenIsADeadLetterWithoutRunning() {
        Recorded message = new Recorded(EVENT, 4);
        List<String> ran = new ArrayList<>();

        BrokerMessage.handle(message, 3, (event, ack) -> ran.add(event.key()), () -> true);

        assertThat(ran).isEmpty();
        assertThat(message.settlements).singleElement().asString()
                .startsWith("dead letter: delivered 4 times without finishing");
    }

    @Test
    void garbageIsADeadLetterAndATestEventFinishes() {
        Recorded garbage = new Recorded("not json".getBytes(StandardCharsets.UTF_8), 1);
        Recorded testEvent = new Recorded("{\"Records\":[]}".getBytes(StandardCharsets.UTF_8), 1);

        BrokerMessage.handle(garbage, 3, (event, ack) -> ack.ack(), () -> true);
        BrokerMessage.handle(testEvent, 3, (event, ack) -> ack.ack(), () -> true);

        assertThat(garbage.settlements).singleElement().asString()
                .startsWith("dead letter: not an S3 event notification");
        assertThat(testEvent.settlements).containsExactly("finished");
    }

    @Test
    void aMessageWithSeveralEventsFinishesOnlyWhenAllAre() {
        Recorded message = new Recorded(MinioEvents.combined(MinioEvents.created("uploads", "a.jpg", 1),
                MinioEvents.created("uploads", "b.jpg", 1)), 1);
        List<Acknowledgement> acks = new ArrayList<>();

        BrokerMessage.handle(message, 3, (event, ack) -> acks.add(ack), () -> true);
        acks.get(0).ack();
        assertThat(message.settlements).isEmpty();
        acks.get(1).ack();

        assertThat(message.settlements).containsExactly("finished");
    }
}
