package dev.sluice.core.exec;

import dev.sluice.core.SluiceException;
import dev.sluice.core.exec.ChildProtocol.Failure;
import dev.sluice.core.exec.ChildProtocol.Message;
import dev.sluice.core.exec.ChildProtocol.Output;
import dev.sluice.core.exec.ChildProtocol.Request;
import dev.sluice.core.function.Input;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A child JVM of {@link ChildProcesses}: runs one invocation at a time, as the parent asks on standard input, with
 * the same {@link FunctionRunner} as in process, and answers on standard output. Functions are made from their class
 * (a public no-argument constructor, as {@link java.util.ServiceLoader} needs too), once, and kept for the next
 * invocation. It ends when the parent closes its standard input.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // what functions and libraries print must not mix with the protocol
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, SluiceFunction> functions = new HashMap<>();
        if (args.length > 0) { // the pool's function, made and prepared now: a warm child is ready for its first input
            try {
                functions.put(args[0], instantiate(args[0]));
            } catch (RuntimeException | LinkageError e) {
                System.err.println("The function " + args[0] + " could not be prepared: " + e);
                // the first request makes it again and reports the error as that invocation's failure
            }
        }
        try (FunctionRunner runner = new FunctionRunner()) {
            for (String line = requests.readLine(); line != null; line = requests.readLine()) {
                Request request = ChildProtocol.read(line, Request.class);
                Message reply = invoke(request, functions, runner,
                        fraction -> send(protocol, Message.progressOf(fraction)));
                send(protocol, reply);
            }
        } finally {
            functions.values().forEach(SluiceFunction::close);
        }
    }

    private static synchronized void send(PrintStream protocol, Message message) {
        protocol.println(ChildProtocol.MARKER + ChildProtocol.write(message));
    }

    private static Message invoke(Request request, Map<String, SluiceFunction> functions, FunctionRunner runner,
                                  java.util.function.DoubleConsumer progress) {
        FileOutputs outputs = new FileOutputs(Path.of(request.outputDir()));
        try {
            SluiceFunction function = functions.get(request.functionClass());
            if (function == null) {
                function = instantiate(request.functionClass());
                functions.put(request.functionClass(), function);
            }
            Input input = new FileInput(request.key(), Path.of(request.file()), request.contentType(), request.size());
            runner.run(function, input, Parameters.of(function, request.params()), outputs,
                    Duration.ofMillis(request.timeoutMillis()), progress);
            return Message.done(outputs.written);
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw (VirtualMachineError) e; // the child is done for; the parent reports its exit
            }
            return Message.failed(Failure.of(e)); // as in process: a LinkageError from a native library, too
        }
    }

    private static SluiceFunction instantiate(String className) {
        try {
            SluiceFunction function = (SluiceFunction) Class.forName(className).getConstructor().newInstance();
            function.prepare();
            return function;
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new SluiceException("The function class " + className + " cannot run in a child JVM (" + e
                    + "): it needs a public no-argument constructor and must be on the class path.", e);
        }
    }

    /** The input the parent downloaded, under its original key. */
    private record FileInput(String key, Path file, String contentType, long size) implements Input {
        @Override
        public InputStream openStream() throws IOException {
            return Files.newInputStream(file);
        }
    }

    /** Each output into its own file in the request's folder; the parent stores them when the invocation succeeds. */
    private static final class FileOutputs implements Outputs {
        private final Path folder;
        private final List<Output> written = new ArrayList<>();

        FileOutputs(Path folder) {
            this.folder = folder;
        }

        @Override
        public OutputStream open(OutputSpec spec) throws IOException {
            Path file = folder.resolve("output-" + written.size() + "-" + System.nanoTime());
            return new FilterOutputStream(Files.newOutputStream(file)) {
                private boolean closed;

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    if (!closed) {
                        closed = true;
                        super.close();
                        synchronized (written) {
                            written.add(Output.of(file.toString(), spec));
                        }
                    }
                }
            };
        }
    }
}
