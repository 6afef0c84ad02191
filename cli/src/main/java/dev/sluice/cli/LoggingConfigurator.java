package dev.sluice.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The CLI's logging, set up in code rather than from a {@code logback.xml}: parsing XML at start-up costs a short
 * {@code sluice invoke} about a tenth of its time. Sluice logs at INFO ({@code SLUICE_LOG_LEVEL} changes it), the
 * libraries underneath (S3Proxy, jclouds, Jetty, the AWS SDK) only when they warn, all to standard error.
 * {@code -Dlogback.configurationFile=my-logback.xml} replaces all of this with the user's own file.
 */
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";
    /** The environment variable with Sluice's own log level. */
    static final String LEVEL_VARIABLE = "SLUICE_LOG_LEVEL";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // the user's file, read by logback's own configurator
        }
        FirstUsePatternEncoder encoder = new FirstUsePatternEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        Level sluice = Level.toLevel(System.getenv(LEVEL_VARIABLE), Level.INFO);
        context.getLogger("dev.sluice").setLevel(sluice);
        context.getLogger("sluice").setLevel(sluice); // function loggers: sluice.function.NAME
        // PDFBox logs every repair of a damaged file; one hostile PDF can print hundreds of thousands of lines.
        context.getLogger("org.apache.pdfbox").setLevel(Level.ERROR);
        context.getLogger("org.apache.fontbox").setLevel(Level.ERROR);
        context.getLogger("org.apache.pdfbox.filter").setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The {@link #PATTERN} encoder, built when the first event is logged: a one-shot command that logs nothing
     * never loads logback's pattern parser and converters, a tenth of a short {@code sluice invoke}.
     */
    static final class FirstUsePatternEncoder extends EncoderBase<ILoggingEvent> {
        private volatile PatternLayoutEncoder delegate;

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            return delegate().encode(event);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }

        PatternLayoutEncoder delegate() {
            PatternLayoutEncoder encoder = delegate;
            if (encoder == null) {
                synchronized (this) {
                    encoder = delegate;
                    if (encoder == null) {
                        encoder = new PatternLayoutEncoder();
                        encoder.setContext(getContext());
                        encoder.setPattern(PATTERN);
                        encoder.start();
                        delegate = encoder;
                    }
                }
            }
            return encoder;
        }
    }
}
