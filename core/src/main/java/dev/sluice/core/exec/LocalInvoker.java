package dev.sluice.core.exec;

import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.stream.IntStream;

/**
 * Runs a function on local files, many in parallel in one process: {@code sluice invoke}. Outputs are named
 * after their input and always land inside the output folder; a failed input leaves no outputs behind.
 */
public final class LocalInvoker {

    /** What happened to one input. */
    public record Result(Path input, List<Path> outputs, String error, Duration duration) {
        public boolean succeeded() {
            return error == null;
        }
    }

    private LocalInvoker() {
    }

    public static List<Result> invoke(SluiceFunction function, Parameters parameters, List<Path> inputs, Path outDir,
                                      int parallelism, Duration timeout, Consumer<Result> onResult)
            throws InterruptedException {
        return invoke(function, parameters, inputs, outDir, parallelism, timeout, onResult, (input, fraction) -> { });
    }

    /** As above; {@code onProgress} gets the progress (0 to 1) that the function reports for each input. */
    public static List<Result> invoke(SluiceFunction function, Parameters parameters, List<Path> inputs, Path outDir,
                                      int parallelism, Duration timeout, Consumer<Result> onResult,
                                      BiConsumer<Path, Double> onProgress) throws InterruptedException {
        return invoke(function, parameters, inputs, outDir, parallelism, timeout, onResult, onProgress, null);
    }

    /**
     * As above, each input in a child JVM with {@code childHeap} (as for {@code -Xmx}; see {@link ChildProcesses})
     * when it is not null: a file that crashes a native library then fails alone.
     */
    public static List<Result> invoke(SluiceFunction function, Parameters parameters, List<Path> inputs, Path outDir,
                                      int parallelism, Duration timeout, Consumer<Result> onResult,
                                      BiConsumer<Path, Double> onProgress, String childHeap)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, inputs.size())), r -> {
            Thread t = new Thread(r, "sluice-invoke");
            t.setDaemon(true);
            return t;
        });
        ChildProcesses children = childHeap == null ? null : new ChildProcesses();
        try (FunctionRunner runner = new FunctionRunner()) {
            List<Future<Result>> futures = new ArrayList<>(Collections.nCopies(inputs.size(), null));
            for (int index : largestFirst(inputs)) {
                Path input = inputs.get(index);
                futures.set(index, pool.submit(() -> {
                    Result result = invokeOne(runner, children, childHeap, function, parameters, input, outDir,
                            timeout, fraction -> onProgress.accept(input, fraction));
                    onResult.accept(result);
                    return result;
                }));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> future : futures) {
                try {
                    results.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
            if (children != null) {
                children.close();
            }
        }
    }

    /**
     * The order to start the inputs in: largest file first, the rest as given. The cores then end on small
     * inputs and finish at about the same time, instead of one core waiting while another does a large input
     * it happened to start last. (Results are still listed in the order given.)
     */
    static List<Integer> largestFirst(List<Path> inputs) {
        long[] sizes = new long[inputs.size()];
        for (int i = 0; i < sizes.length; i++) {
            try {
                sizes[i] = Files.size(inputs.get(i));
            } catch (IOException | RuntimeException e) {
                sizes[i] = -1; // its run reports what is wrong with it
            }
        }
        return IntStream.range(0, sizes.length).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> sizes[i]).reversed())
                .toList();
    }

    private static Result invokeOne(FunctionRunner runner, ChildProcesses children, String childHeap,
                                    SluiceFunction function, Parameters parameters, Path input, Path outDir,
                                    Duration timeout, DoubleConsumer progress) {
        long start = System.nanoTime();
        LocalOutputs outputs = new LocalOutputs(outDir, input.getFileName().toString());
        try {
            if (children == null) {
                runner.run(function, new LocalInput(input), parameters, outputs, timeout, progress);
            } else {
                children.run(function, childHeap, new LocalInput(input), parameters, outputs, timeout, progress);
            }
            return new Result(input, outputs.committed(), null, Duration.ofNanos(System.nanoTime() - start));
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError vm && !(e instanceof OutOfMemoryError)) {
                throw vm;
            }
            outputs.rollback();
            return new Result(input, List.of(), Failures.describe(e), Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
