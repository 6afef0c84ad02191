package dev.sluice.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/** {@code sluice worker --broker nats} against the NATS server with JetStream on 127.0.0.1:4222. */
class NatsWorkerTest extends BrokerWorkerContract {
    static final String URL = "nats://127.0.0.1:4222";

    @Override
    void assumeBrokerRunning() {
        assumeTrue(reachable("127.0.0.1", 4222), "NATS is not running on 127.0.0.1:4222; start it with JetStream "
                + "(nats-server -js) to run the NATS worker tests");
    }

    @Override
    List<String> brokerOptions(Duration ackWait) {
        return List.of("--broker", "nats", "--url", URL, "--stream", stream(), "--subject", subject(),
                "--consumer", "workers", "--ack-wait", ackWait.toSeconds() + "s");
    }

    @Override
    void publish(byte[] body) throws Exception {
        try (Connection nats = Nats.connect(URL)) {
            nats.jetStream().publish(subject(), body);
        }
    }

    @Override
    long waiting() throws Exception {
        try (Connection nats = Nats.connect(URL)) {
            return nats.jetStreamManagement().getStreamInfo(stream()).getStreamState().getMsgCount();
        }
    }

    @Override
    void deleteTopology() throws Exception {
        if (id == null) {
            return;
        }
        try (Connection nats = Nats.connect(URL)) {
            nats.jetStreamManagement().deleteStream(stream());
        } catch (JetStreamApiException | IOException e) {
            // never created
        }
    }

    @Override
    String brokerName() {
        return "nats";
    }

    private String stream() {
        return "SLUICE_WORKER_TEST_" + id;
    }

    private String subject() {
        return "sluice.worker-test." + id;
    }

    static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
