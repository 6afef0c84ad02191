package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import dev.sluice.core.event.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code listen:} section: defaults, what it takes from the pipelines, and errors that name the setting. */
class ListenConfigTest {
    static final Path BASE = Path.of("/srv/sluice");
    static final String STORE = """
            store: { endpoint: "http://127.0.0.1:9000", accessKey: k, secretKey: s }
            """;
    static final String PIPELINES = """
            pipelines:
              - name: thumbs
                match: { bucket: uploads, suffix: [.jpg] }
                steps: [{ function: thumbnail, output: "s3://thumbnails/{name}.{ext}" }]
              - name: cleanup
                match: { bucket: scans, events: [removed] }
                steps: [{ function: thumbnail, output: "s3://thumbnails/{name}.{ext}" }]
              - name: again
                match: { bucket: uploads, prefix: raw/ }
                steps: [{ function: thumbnail, output: "s3://thumbnails/{name}.{ext}" }]
            """;

    static SluiceConfig parse(String yaml) {
        return new ConfigLoader(k -> null).parse(yaml, BASE);
    }

    @Test
    void absentMeansOff() {
        assertThat(parse(STORE + PIPELINES).listen()).isNull();
    }

    @Test
    void everySettingIsRead() {
        ListenSettings listen = parse(STORE + """
                listen:
                  buckets: [photos, docs]
                  prefix: incoming/
                  events: [created]
                  stateFile: state/listen.json
                  reconnectDelay: 250ms
                  maxReconnectDelay: 10s
                  idleTimeout: 45s
                  reconcileEvery: 15m
                """ + PIPELINES).listen();

        assertThat(listen).isEqualTo(new ListenSettings(List.of("photos", "docs"), "incoming/",
                Set.of(EventType.CREATED), BASE.resolve("state/listen.json"), Duration.ofMillis(250),
                Duration.ofSeconds(10), Duration.ofSeconds(45), Duration.ofMinutes(15)));
    }

    @Test
    void withoutBucketsAndEventsItListensToWhatThePipelinesMatch() {
        ListenSettings listen = parse(STORE + "listen: {}\n" + PIPELINES).listen();

        assertThat(listen.buckets()).containsExactly("uploads", "scans");
        assertThat(listen.events()).containsExactlyInAnyOrder(EventType.CREATED, EventType.REMOVED);
        assertThat(listen.prefix()).isEmpty();
        assertThat(listen.stateFile()).isEqualTo(BASE.resolve("sluice-listen-state.json"));
        assertThat(listen.reconnectDelay()).isEqualTo(ListenSettings.DEFAULT_RECONNECT_DELAY);
        assertThat(listen.maxReconnectDelay()).isEqualTo(ListenSettings.DEFAULT_MAX_RECONNECT_DELAY);
        assertThat(listen.idleTimeout()).isEqualTo(ListenSettings.DEFAULT_IDLE_TIMEOUT);
        assertThat(listen.reconcileEvery()).isEqualTo(ListenSettings.DEFAULT_RECONCILE_EVERY);
    }

    @Test
    void reconcilingOnlyAfterConnectingCanBeAskedFor() {
        assertThat(parse(STORE + "listen: { reconcileEvery: off }\n" + PIPELINES).listen().reconcileEvery())
                .isZero();
        assertThat(parse(STORE + "listen: { reconcileEvery: 0 }\n" + PIPELINES).listen().reconcileEvery())
                .isZero();
    }

    @Test
    void aLongFirstDelayRaisesTheDefaultCap() {
        ListenSettings listen = parse(STORE + "listen: { reconnectDelay: 2m }\n" + PIPELINES).listen();
        assertThat(listen.maxReconnectDelay()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void withTheEmbeddedServerItSaysListenIsNotNeeded() {
        assertThatThrownBy(() -> parse("listen: { buckets: [uploads] }\n" + PIPELINES))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("line 1, listen:")
                .hasMessageContaining("'store'")
                .hasMessageContaining("embedded S3 server")
                .hasMessageContaining("not needed");
    }

    @Test
    void withoutAnEndpointItExplainsThatAwsHasNoListenApi() {
        assertThatThrownBy(() -> parse("store: { region: eu-west-1 }\nlisten: { buckets: [uploads] }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.endpoint")
                .hasMessageContaining("'webhook' or 'poll'");
    }

    @Test
    void aPipelineWithoutABucketNeedsBucketsNamed() {
        String anyBucket = """
                pipelines:
                  - name: everything
                    match: { suffix: [.pdf] }
                    steps: [{ function: thumbnail, output: "s3://out/{name}.{ext}" }]
                """;
        assertThatThrownBy(() -> parse(STORE + "listen: {}\n" + anyBucket))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen.buckets")
                .hasMessageContaining("'everything'")
                .hasMessageContaining("matches any bucket");
        assertThat(parse(STORE + "listen: { buckets: [a] }\n" + anyBucket).listen().buckets()).containsExactly("a");
    }

    @Test
    void withNothingToListenToItAsksForABucket() {
        assertThatThrownBy(() -> parse(STORE + "listen: {}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen.buckets: name at least one bucket");
        assertThatThrownBy(() -> parse(STORE + "listen: { buckets: [] }\n" + PIPELINES))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen.buckets: name at least one bucket");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'listen:\n  every: 5s\n'                     | line 3, listen: unknown setting 'every'",
            "'listen:\n  events: [put]\n'                 | line 3, listen.events: 'put' is not an event type",
            "'listen:\n  events: [other]\n'               | listen.events: 'other' is not an event type",
            "'listen:\n  reconnectDelay: soon\n'          | line 3, listen.reconnectDelay: 'soon' is not a duration",
            "'listen:\n  reconnectDelay: 0s\n'            | listen.reconnectDelay: must be longer than 0",
            "'listen:\n  reconnectDelay: 5s\n  maxReconnectDelay: 1s\n' | listen.maxReconnectDelay: must be at least",
            "'listen:\n  idleTimeout: 1s\n'               | line 3, listen.idleTimeout: must be at least 3s",
            "'listen:\n  reconcileEvery: -5m\n'           | listen.reconcileEvery: '-5m' is not a duration",
            "'listen:\n  buckets: [a, \"\"]\n'            | listen.buckets[1]: a bucket name must not be blank",
    })
    void badSettingsAreNamed(String listenYaml, String message) {
        assertThatThrownBy(() -> parse(STORE + listenYaml + PIPELINES))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }
}
