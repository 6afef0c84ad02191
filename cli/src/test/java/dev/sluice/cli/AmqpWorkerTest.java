package dev.sluice.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.List;

/** {@code sluice worker --broker amqp} against RabbitMQ on 127.0.0.1:5672 (guest/guest). */
class AmqpWorkerTest extends BrokerWorkerContract {
    static final String URI = "amqp://guest:guest@127.0.0.1:5672";

    @Override
    void assumeBrokerRunning() {
        assumeTrue(NatsWorkerTest.reachable("127.0.0.1", 5672), "RabbitMQ is not running on 127.0.0.1:5672; start "
                + "it (rabbitmq-server -detached) to run the AMQP worker tests");
    }

    @Override
    List<String> brokerOptions(Duration ackWait) {
        return List.of("--broker", "amqp", "--url", URI, "--exchange", name(), "--routing-key", "events",
                "--queue", name(), "--dead-letter-exchange", name() + ".dlx", "--heartbeat", "5s");
    }

    @Override
    void publish(byte[] body) throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish(name(), "events", true, new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .contentType("application/json").build(), body);
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    @Override
    long waiting() throws Exception {
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            return channel.queueDeclarePassive(name()).getMessageCount();
        }
    }

    @Override
    void deleteTopology() throws Exception {
        if (id == null) {
            return;
        }
        try (Connection connection = connect(); Channel channel = connection.createChannel()) {
            channel.queueDelete(name());
            channel.queueDelete(name() + ".dlx");
            channel.exchangeDelete(name());
            channel.exchangeDelete(name() + ".dlx");
        }
    }

    @Override
    String brokerName() {
        return "amqp";
    }

    private String name() {
        return "sluice-worker-test-" + id;
    }

    private static Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        return factory.newConnection("sluice-worker-test");
    }
}
