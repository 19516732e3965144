package dev.stowage.spi;

import dev.stowage.DeleteResult;
import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import dev.stowage.UploadOptions;
import dev.stowage.Urls;
import dev.stowage.internal.DeleteOneByOne;
import dev.stowage.internal.FileErrors;
import dev.stowage.internal.Futures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * A base for backends, public for those of other modules: it does what every backend owes the
 * {@link StorageBackend} contract, so an implementation writes only its I/O. Each operation checks
 * that the backend is open and that its key follows the {@link Keys} rules, then runs on a bounded
 * executor if its I/O blocks ({@link #run}: the local disk, reading a source file) or starts at once
 * if it does not ({@link #start}: an async HTTP client); every failure is translated once, by
 * {@link #translate}, into a {@link StorageException} carrying the operation, key and backend.
 * Listings ({@link #listing}) and batch deletes ({@link #deleteFiles}) get the same checks.
 *
 * <pre>{@code
 * public final class MyBackend extends AbstractStorageBackend {
 *     public CompletableFuture<Void> deleteFile(String key) {
 *         Objects.requireNonNull(key, "key");
 *         return run(Operation.DELETE, key, stop -> { client.delete(key); return null; });
 *     }
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe, as long as the subclass is.
 */
public abstract class AbstractStorageBackend implements StorageBackend {
    private final String label;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    /** Blocking calls handed to the executor and not finished, each with its operation and key. */
    private final Map<CompletableFuture<?>, Pending> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Calls running on the executor now; close() waits for them to stop. */
    private int running;
    private final Object idle = new Object();
    /** Whether the current thread runs one of this backend's calls (close() must not wait for itself). */
    private final ThreadLocal<Boolean> inCall = ThreadLocal.withInitial(() -> false);

    private record Pending(Operation op, String key) {
    }

    /** How long {@link #close()} waits for the calls running to stop. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /**
     * @param label         the backend's short name in error messages
     * @param executor      where blocking work runs
     * @param ownedExecutor the executor to shut down on {@link #close()}, or {@code null} if the caller owns it
     */
    protected AbstractStorageBackend(String label, Executor executor, ExecutorService ownedExecutor) {
        this.label = Objects.requireNonNull(label, "label");
        this.executor = requireRunsEveryTask(Objects.requireNonNull(executor, "executor"));
        this.ownedExecutor = ownedExecutor;
    }

    /**
     * Refuses an executor that drops work silently: a dropped task would leave its future pending
     * forever. One that refuses work by throwing is fine: the operation fails {@code UNAVAILABLE}.
     */
    private static Executor requireRunsEveryTask(Executor executor) {
        if (executor instanceof ThreadPoolExecutor) {
            RejectedExecutionHandler handler = ((ThreadPoolExecutor) executor).getRejectedExecutionHandler();
            // Discarding leaves a future pending for ever; CallerRunsPolicy does I/O on the caller's
            // thread while the pool is busy, and silently drops the task once it is shut down.
            if (handler instanceof ThreadPoolExecutor.DiscardPolicy || handler instanceof ThreadPoolExecutor.DiscardOldestPolicy
                    || handler instanceof ThreadPoolExecutor.CallerRunsPolicy) {
                throw StorageException.invalidConfig("the executor's " + handler.getClass().getSimpleName()
                        + " would drop tasks or run them on the caller's thread: use AbortPolicy, under which a "
                        + "refused task fails its operation UNAVAILABLE");
            }
        }
        return executor;
    }

    /** Runs a blocking call on the executor, known as pending until it ends, so that {@link #close()} can end it. */
    private <T> CompletableFuture<T> submit(Operation op, String key, BlockingCall<T> call,
                                            Function<Throwable, StorageException> translate) {
        CompletableFuture<T> result = Futures.supply(this::execute, call, translate);
        if (!result.isDone()) {
            pending.put(result, new Pending(op, key));
            result.whenComplete((value, error) -> pending.remove(result));
            if (closed) {
                failPending(); // closed while this was being handed over
            }
        }
        return result;
    }

    /** The backend's short name, as it appears in error messages. */
    protected final String label() {
        return label;
    }

    /**
     * Validates the key, then runs the blocking call on the executor. A key that breaks the rules
     * fails the future with {@code INVALID_KEY} before anything runs.
     */
    protected final <T> CompletableFuture<T> run(Operation op, String key, BlockingCall<T> call) {
        CompletableFuture<T> refused = refuse(op, key);
        if (refused != null) {
            return refused;
        }
        return submit(op, key, call, e -> e instanceof RejectedExecutionException ? rejected(op, key, e) : translate(e, op, key));
    }

    /**
     * Like {@link #run}, for an upload: a file that vanishes while the call runs is reported as the
     * missing source ({@code NOT_FOUND}) only if it is the source; a path of the target that
     * vanishes (a folder pruned by a concurrent delete) is a retryable {@code CONFLICT}.
     */
    protected final <T> CompletableFuture<T> runUpload(Path source, String key, BlockingCall<T> call) {
        CompletableFuture<T> refused = refuse(Operation.UPLOAD, key);
        if (refused != null) {
            return refused;
        }
        return submit(Operation.UPLOAD, key, call, e -> e instanceof RejectedExecutionException
                ? rejected(Operation.UPLOAD, key, e)
                : isMissing(e, source) ? sourceMissing(source, key, e) : translate(e, Operation.UPLOAD, key));
    }

    /**
     * Translates a failure of an upload as {@link #runUpload} does: {@code NOT_FOUND} if it says,
     * anywhere in its causes, that the source file does not exist, else {@link #translate}. For
     * backends that read the source outside {@code runUpload}, such as an HTTP client's file body.
     */
    protected final StorageException uploadFailure(Throwable error, Path source, String key) {
        Throwable e = Futures.unwrap(error);
        if (e instanceof StorageException) {
            return (StorageException) e;
        }
        return isMissing(e, source) ? sourceMissing(source, key, e) : translate(e, Operation.UPLOAD, key);
    }

    /** Whether the failure or one of its causes says that this very file does not exist. */
    private static boolean isMissing(Throwable error, Path file) {
        int depth = 0;
        for (Throwable e = error; e != null && depth < 10; e = e.getCause(), depth++) {
            if (e instanceof NoSuchFileException && file.toString().equals(((NoSuchFileException) e).getFile())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A listing whose prefix is checked first: a bad prefix or a closed backend ends the stream at
     * once. Items are delivered on this backend's executor; failures are translated with operation
     * {@code LIST} and the prefix as the key.
     */
    protected final Flow.Publisher<ObjectInfo> listing(String prefix, Callable<ListingPublisher.PageSource<ObjectInfo>> open) {
        Objects.requireNonNull(prefix, "prefix");
        return new ListingPublisher<>(executor, () -> {
            if (closed) {
                throw error(ErrorKind.CLOSED, "the backend is closed", Operation.LIST, prefix, null);
            }
            Keys.checkPrefix(prefix, Operation.LIST, label);
            return open.call();
        }, e -> e instanceof StorageException ? e
                : e instanceof RejectedExecutionException ? rejected(Operation.LIST, prefix, e)
                : translate(e, Operation.LIST, prefix));
    }

    /** Runs a blocking step of a listing on the executor, translated as {@link #listing} does. */
    protected final <T> CompletableFuture<T> runListingStep(String prefix, BlockingCall<T> call) {
        return runOnPrefix(Operation.LIST, prefix, call);
    }

    /**
     * Runs a blocking call about a whole prefix (not one key) on the executor, as {@link #run}
     * does for a key: {@code CLOSED} when closed, failures translated once, naming the prefix.
     */
    protected final <T> CompletableFuture<T> runOnPrefix(Operation op, String prefix, BlockingCall<T> call) {
        if (closed) {
            return CompletableFuture.failedFuture(error(ErrorKind.CLOSED, "the backend is closed", op, prefix, null));
        }
        return submit(op, prefix, call, e -> e instanceof RejectedExecutionException
                ? rejected(op, prefix, e) : translate(e, op, prefix));
    }

    /** Deletes the keys one by one (see {@link dev.stowage.StorageBackend#deleteFiles}); fails {@code CLOSED} when closed. */
    @Override
    public CompletableFuture<DeleteResult> deleteFiles(Collection<String> keys) {
        DeleteOneByOne.distinct(keys);
        if (closed) {
            return CompletableFuture.failedFuture(error(ErrorKind.CLOSED, "the backend is closed", Operation.DELETE, null, null));
        }
        return DeleteOneByOne.run(this::deleteFile, keys);
    }

    /**
     * Validates the key, then starts a call that does not block, such as a request of an async
     * HTTP client. Its failures are translated like those of {@link #run}; cancelling the returned
     * future cancels the call's.
     */
    protected final <T> CompletableFuture<T> start(Operation op, String key, Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> refused = refuse(op, key);
        if (refused != null) {
            return refused;
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<T> source;
        try {
            source = call.get();
        } catch (RuntimeException e) {
            fail(result, e, op, key);
            return result;
        }
        source.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                fail(result, error, op, key);
            }
        });
        Futures.cancelWith(result, source);
        return result;
    }

    /**
     * Completes {@code result} with the translation of a failure; a {@link StorageException} passes
     * as it is. A cancellation is translated too: when the caller cancelled, {@code result} is
     * already done, so what arrives here was cancelled by something else, such as {@link #close()}.
     */
    protected final void fail(CompletableFuture<?> result, Throwable error, Operation op, String key) {
        Throwable e = Futures.unwrap(error);
        if (e instanceof StorageException) {
            result.completeExceptionally(e);
            return;
        }
        try {
            result.completeExceptionally(translate(e, op, key));
        } catch (RuntimeException t) {
            t.addSuppressed(e);
            result.completeExceptionally(t);
        }
    }

    /** A future failed with {@code CLOSED} or {@code INVALID_KEY} if the operation cannot start, else {@code null}. */
    private <T> CompletableFuture<T> refuse(Operation op, String key) {
        if (closed) {
            return CompletableFuture.failedFuture(error(ErrorKind.CLOSED, "the backend is closed", op, key, null));
        }
        try {
            Keys.check(key, op, label);
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        return null;
    }

    private StorageException rejected(Operation op, String key, Throwable e) {
        return closed
                ? error(ErrorKind.CLOSED, "the backend is closed", op, key, e)
                : error(ErrorKind.UNAVAILABLE, "the backend's executor refused the work: it is shut down or full", op, key, e);
    }

    /**
     * The attributes of an upload's source file.
     *
     * @throws StorageException {@code NOT_FOUND} if it does not exist, {@code IO} if it is not a regular file
     */
    protected final BasicFileAttributes requireSourceFile(Path source, String key) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(source, BasicFileAttributes.class);
        } catch (FileSystemException e) {
            if (FileErrors.isMissing(e)) {
                throw sourceMissing(source, key, e);
            }
            throw e;
        }
        if (!attrs.isRegularFile()) {
            throw error(ErrorKind.IO, "source is not a regular file: " + source, Operation.UPLOAD, key, null);
        }
        return attrs;
    }

    /** The error for an upload whose source file does not exist. */
    protected final StorageException sourceMissing(Path source, String key, Throwable cause) {
        return error(ErrorKind.NOT_FOUND, "source file does not exist: " + source, Operation.UPLOAD, key, cause);
    }

    /**
     * Fails with a not retryable {@code INTEGRITY} error if the caller gave a SHA-256 in the options
     * and the file's is another: the file changed, or the checksum is wrong, and another attempt
     * would read the same file.
     */
    protected final void requireCallersSha256(UploadOptions options, String actualSha256, String key) {
        if (options.sha256().isPresent() && !options.sha256().get().equals(actualSha256)) {
            throw error(ErrorKind.INTEGRITY, "the file's SHA-256 is " + actualSha256 + ", not the "
                    + options.sha256().get() + " the caller gave: it changed or the checksum is wrong",
                    Operation.UPLOAD, key, null).toBuilder().retryable(false).build();
        }
    }

    /**
     * The URL of a key under a base URL, for {@code getUrl}: the key checked, each segment
     * percent-encoded ({@link Urls#join}).
     *
     * @throws StorageException of kind {@code INVALID_KEY} at once if the key breaks a rule
     */
    protected final URI urlOf(URI base, String key) {
        Objects.requireNonNull(key, "key");
        return Urls.join(base, Keys.check(key, Operation.URL, label));
    }

    /** The error of an upload that the backend's {@link #close()} interrupted. */
    protected final StorageException closedDuringUpload(String key) {
        return error(ErrorKind.CLOSED, "the backend was closed during the upload", Operation.UPLOAD, key, null);
    }

    /**
     * Converts what a blocking call threw into a {@link StorageException}; called once per failure.
     * This one knows permissions, other I/O errors and the rest; backends refine it.
     */
    protected StorageException translate(Throwable error, Operation op, String key) {
        Throwable e = error instanceof UncheckedIOException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof NoSuchFileException) {
            String file = ((NoSuchFileException) e).getFile();
            if (op == Operation.UPLOAD) {
                // Not the source (runUpload tells that apart): a path on the target side vanished,
                // such as a folder pruned by a concurrent delete. Another attempt makes it again.
                return error(ErrorKind.CONFLICT, "a folder of the key vanished during the upload: " + file, op, key, e)
                        .toBuilder().retryable(true).build();
            }
            return error(ErrorKind.NOT_FOUND, "no such file: " + file, op, key, e);
        }
        if (e instanceof AccessDeniedException) {
            return error(ErrorKind.ACCESS_DENIED, "permission denied: " + ((AccessDeniedException) e).getFile(), op, key, e);
        }
        if (e instanceof FileSystemException) {
            FileSystemException fse = (FileSystemException) e;
            return error(ErrorKind.IO, fse.getFile() + ": " + (fse.getReason() != null ? fse.getReason() : describe(e)), op, key, e);
        }
        if (e instanceof IOException) {
            return error(ErrorKind.IO, describe(e), op, key, e);
        }
        if (e instanceof RejectedExecutionException) {
            return rejected(op, key, e);
        }
        return error(ErrorKind.UNEXPECTED, e.toString(), op, key, e);
    }

    /** The exception's message, or its class name when it has none. */
    protected static String describe(Throwable error) {
        return error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
    }

    /** An exception of this backend. */
    protected final StorageException error(ErrorKind kind, String detail, Operation op, String key, Throwable cause) {
        return StorageException.builder(kind, detail).operation(op).key(key).backend(label).cause(cause).build();
    }

    protected final boolean isClosed() {
        return closed;
    }

    /** Runs a task on the executor, counted while it runs. */
    private void execute(Runnable task) {
        executor.execute(() -> {
            synchronized (idle) {
                running++;
            }
            boolean nested = inCall.get();
            inCall.set(true);
            try {
                task.run();
            } finally {
                inCall.set(nested);
                synchronized (idle) {
                    if (--running == 0) {
                        idle.notifyAll();
                    }
                }
            }
        });
    }

    /**
     * Stops taking work, then waits up to {@link #CLOSE_WAIT} for the blocking calls running to stop:
     * operations started afterwards fail {@code CLOSED}, and so do those not finished yet (a call
     * still queued never runs, one running stops at its next check). Shuts down the executor if the
     * backend made it. Subclasses that hold more (connections) release it after calling this.
     */
    @Override
    public void close() {
        stopTakingWork();
        finishClosing();
    }

    /**
     * The first half of {@link #close()}, quick enough to run under a subclass's lock: refuse new
     * work and shut down the backend's own executor.
     */
    protected final void stopTakingWork() {
        closed = true;
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    /**
     * The second half of {@link #close()}, to run under no lock: fail what is unfinished (callers'
     * stages chained on those futures run here, on the closing thread), then wait,
     * {@link #CLOSE_WAIT} at most, until no call runs but the one calling, if any.
     */
    protected final void finishClosing() {
        failPending();
        int own = inCall.get() ? 1 : 0;
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (idle) {
            try {
                for (long left = CLOSE_WAIT.toNanos(); running > own && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Fails every blocking call not yet finished with {@code CLOSED}: one still queued never runs,
     * one running stops at its next check of {@code stop}. An operation ended so may or may not have
     * taken effect (a local file moved into place just before), as with any interrupted call.
     */
    private void failPending() {
        pending.forEach((future, what) -> future.completeExceptionally(
                error(ErrorKind.CLOSED, "the backend was closed before the operation finished", what.op(), what.key(), null)));
    }
}
