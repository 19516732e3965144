package dev.stowage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.Capabilities;
import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.StorageBackend;
import dev.stowage.StorageException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link StorageBackend} owes its callers, as one JUnit 5 suite. A backend's
 * test class extends it, builds the backend and says how to see what it stored by a path that does
 * not go through the backend:
 *
 * <pre>{@code
 * class MemoryBackendContractTest extends StorageBackendContract {
 *     private MemoryBackend memory;
 *
 *     protected StorageBackend createBackend() {
 *         memory = MemoryBackend.create();
 *         return memory;
 *     }
 *
 *     protected Optional<byte[]> readObject(String key) {
 *         return memory.content(key);
 *     }
 *
 *     protected Set<String> storedNames() {
 *         return Set.copyOf(memory.keys());
 *     }
 * }
 * }</pre>
 *
 * <h2>Hooks</h2>
 * Required: {@link #createBackend()}, {@link #readObject}, {@link #storedNames()}. Optional:
 * {@link #createBackendOn(Executor)} (without it the {@link Threading} tests are skipped),
 * {@link #awaitNoLeftovers()} (for a backend that finishes cancelled work in the background) and
 * {@link #mayOutliveTheBackend(Thread)} (threads of the test's own servers, and threads the backend
 * shares JVM-wide, each a cost worth naming).
 *
 * <h2>What it checks, one nested class per operation</h2>
 * Every nested class runs for every backend. Where a backend may choose, the suite reads its
 * {@link StorageBackend#capabilities() capabilities} and holds it to each claim: a capability
 * claimed must be kept exactly, and one not claimed must never be faked with a wrong value.
 * <ul>
 *   <li>{@link Upload}: byte for byte storage, replacement, sources that fail; the caller's SHA-256.</li>
 *   <li>{@link Stat}: key, size and time; SHA-256, content type, cache control and metadata, each
 *       as {@link Capabilities#storesSha256() claimed}.</li>
 *   <li>{@link Delete} and {@link BatchDelete}: removal, or none where
 *       {@link Capabilities#deletes()} is false; keys holding nothing.</li>
 *   <li>{@link Url}: URLs name exactly the key, computed without I/O.</li>
 *   <li>{@link Keys}: odd but legal keys, invalid keys that touch nothing, a key that is also a
 *       folder of others ({@link Capabilities#fileAndFolder()}).</li>
 *   <li>{@link Listing}: order, prefixes, demand, SHA-256 in entries
 *       ({@link Capabilities#listsSha256()}).</li>
 *   <li>{@link Progress}: from {@code (0, total)} to {@code (total, total)}, never backwards.</li>
 *   <li>{@link Cancellation}: a cancelled replacement leaves the old object or the new one, whole,
 *       and nothing else, even to a reader polling all along.</li>
 *   <li>{@link Concurrency}: parallel uploads to many keys and to one key.</li>
 *   <li>{@link Threading}: no work before the backend's executor runs it, none on the caller's thread.</li>
 *   <li>{@link Errors}: {@code null} throws at once; failures are unwrapped, one line, and name
 *       their operation, key and backend.</li>
 *   <li>{@link Close}: operations afterwards fail {@code CLOSED}, uploads in flight end either way,
 *       and every thread started since the test class began ends, but those
 *       {@link #mayOutliveTheBackend} names.</li>
 *   <li>{@link Description}: {@code unwrap}, {@code isRemote} and {@code capabilities}.</li>
 * </ul>
 *
 * <p>Each test gets a fresh backend, closed after it, and a fresh temporary folder for its source
 * files. The suite waits for conditions with bounded polls, not fixed sleeps (but for 200 ms in
 * which a cancelled listing must stay silent), and runs in seconds.
 */
@Timeout(120)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
public abstract class StorageBackendContract {
    /** The longest any single operation, or any condition polled for, may take before a test gives up. */
    static final Duration AWAIT = Duration.ofSeconds(30);
    /** Any Unicode line terminator: \n, \r, \u000B, \u000C, \u0085, \u2028, \u2029. */
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    /** The threads alive when each test class began, before it opened any backend. */
    private static final Map<Class<?>, Set<Thread>> THREADS_BEFORE = new ConcurrentHashMap<>();

    @TempDir
    private Path sources;
    private final AtomicInteger sourceCount = new AtomicInteger();
    private StorageBackend backend;

    /**
     * Builds the backend under test. Called before every test, so each test starts from an empty
     * backend; the suite closes it after the test.
     */
    protected abstract StorageBackend createBackend() throws Exception;

    /**
     * The bytes stored under a key, read by a path independent of the backend under test: for the
     * local disk the file under {@code base_path}, for memory {@code MemoryBackend#content}, for S3
     * the test server's own store. Called from other threads while uploads run, so it must be
     * thread-safe.
     *
     * @return the stored bytes, or empty if nothing is stored under exactly this key
     */
    protected abstract Optional<byte[]> readObject(String key) throws Exception;

    /**
     * The names of everything the backend holds now, found by the same independent path as
     * {@link #readObject}: for the local disk every file and folder under {@code base_path},
     * temporary files included; for an object store its keys. The suite compares the set before
     * and after an operation to prove that it wrote nothing anywhere.
     */
    protected abstract Set<String> storedNames() throws Exception;

    /**
     * A backend over the same storage as {@link #createBackend()}'s ({@link #readObject} sees what it
     * stores), that runs its work on the given executor; empty (the default) if the backend takes
     * no executor, which skips the {@link Threading} tests. The suite closes it.
     */
    protected Optional<StorageBackend> createBackendOn(Executor executor) throws Exception {
        return Optional.empty();
    }

    /**
     * Waits, a bounded time, until the work a cancelled or interrupted operation left running has
     * ended and left nothing behind (temporary files, multipart uploads), and fails if it does not.
     * The default waits for nothing: the backend does nothing in the background.
     */
    protected void awaitNoLeftovers() throws Exception {
    }

    /**
     * Whether a thread may still run when every backend the test class opened is closed: a
     * thread of a server the test class runs, or one the backend shares JVM-wide by design (name
     * each; each is a cost to its users). The {@link Close} tests require every other thread
     * started since the test class began to end. None by default.
     */
    protected boolean mayOutliveTheBackend(Thread thread) {
        return false;
    }

    /** The backend of the running test, as {@link #createBackend()} returned it. */
    protected final StorageBackend backend() {
        return backend;
    }

    @BeforeAll
    static void recordThreadsBeforeAnyBackend(TestInfo info) {
        THREADS_BEFORE.put(info.getTestClass().orElseThrow(), Set.copyOf(Thread.getAllStackTraces().keySet()));
    }

    @BeforeEach
    final void openBackend() throws Exception {
        backend = createBackend();
        assertThat(backend).as("createBackend()").isNotNull();
    }

    @AfterEach
    final void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---------------------------------------------------------------- the operations, one class each

    /** {@link StorageBackend#uploadFile}: what is stored, and sources that fail. */
    @Nested
    class Upload extends UploadContract {
        Upload() {
            super(StorageBackendContract.this);
        }
    }

    /** {@link StorageBackend#stat}: what it reports, held to the backend's capabilities. */
    @Nested
    class Stat extends StatContract {
        Stat() {
            super(StorageBackendContract.this);
        }
    }

    /** {@link StorageBackend#deleteFile}, as {@link Capabilities#deletes()} says. */
    @Nested
    class Delete extends DeleteContract {
        Delete() {
            super(StorageBackendContract.this);
        }
    }

    /** {@link StorageBackend#deleteFiles}: each key's outcome as data. */
    @Nested
    class BatchDelete extends BatchDeleteContract {
        BatchDelete() {
            super(StorageBackendContract.this);
        }
    }

    /** {@link StorageBackend#getUrl}. */
    @Nested
    class Url extends UrlContract {
        Url() {
            super(StorageBackendContract.this);
        }
    }

    /** The key rules, for every operation. */
    @Nested
    class Keys extends KeysContract {
        Keys() {
            super(StorageBackendContract.this);
        }
    }

    /** {@link StorageBackend#list} and {@link StorageBackend#forEach}. */
    @Nested
    class Listing extends ListingContract {
        Listing() {
            super(StorageBackendContract.this);
        }
    }

    /** What an upload reports to its {@link dev.stowage.UploadProgress}. */
    @Nested
    class Progress extends ProgressContract {
        Progress() {
            super(StorageBackendContract.this);
        }
    }

    /** An upload is all or nothing, when cancelled too. */
    @Nested
    class Cancellation extends CancellationContract {
        Cancellation() {
            super(StorageBackendContract.this);
        }
    }

    /** Many uploads at once. */
    @Nested
    class Concurrency extends ConcurrencyContract {
        Concurrency() {
            super(StorageBackendContract.this);
        }
    }

    /** Where the work runs; needs {@link #createBackendOn(Executor)}. */
    @Nested
    class Threading extends ThreadingContract {
        Threading() {
            super(StorageBackendContract.this);
        }
    }

    /** How failures are reported. */
    @Nested
    class Errors extends ErrorsContract {
        Errors() {
            super(StorageBackendContract.this);
        }
    }

    /** {@link StorageBackend#close()}. */
    /** Last, so that its check of the threads sees those every other group started. */
    @Nested
    @Order(Integer.MAX_VALUE)
    class Close extends CloseContract {
        Close() {
            super(StorageBackendContract.this);
        }
    }

    /** What the backend says of itself. */
    @Nested
    class Description extends DescriptionContract {
        Description() {
            super(StorageBackendContract.this);
        }
    }

    // ---------------------------------------------------------------- for the groups and for other tests

    /** The temporary folder of this test's source files. */
    final Path sources() {
        return sources;
    }

    /** A fresh name for a source file in {@link #sources()}. */
    final Path newSourcePath() {
        return sources.resolve("source-" + sourceCount.incrementAndGet() + ".bin");
    }

    /** The threads that were alive when this test class began. */
    final Set<Thread> threadsBeforeAnyBackend() {
        return THREADS_BEFORE.getOrDefault(getClass(), Set.of());
    }

    /** The value of a future that must succeed, waiting at most {@link #AWAIT}. */
    public static <T> T await(CompletableFuture<T> future) throws Exception {
        assertThat(future).as("future").isNotNull();
        return future.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Polls a condition until it holds, every 10 ms for at most {@link #AWAIT}, and fails naming it
     * if it never does. For hooks such as {@link #awaitNoLeftovers()}.
     */
    protected static void awaitUntil(String what, Callable<Boolean> condition) throws Exception {
        if (!pollUntil(AWAIT, condition)) {
            throw new AssertionError("still waiting, after " + AWAIT + ", until " + what);
        }
    }

    /** Polls a condition every 10 ms until it holds or the time is up; whether it held. */
    static boolean pollUntil(Duration within, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (!condition.call()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Checks that a future fails with a {@link StorageException} itself (not wrapped in a
     * {@link CompletionException}) of the given kind ({@code null}: any kind), naming the operation,
     * the key and the backend on one line.
     */
    public static StorageException expectFailure(CompletableFuture<?> future, ErrorKind kind, Operation op, String key)
            throws Exception {
        Throwable failure = failureOf(future);
        assertThat(failure).as("how the future completed (null: it succeeded)").isInstanceOf(StorageException.class);
        assertThatThrownBy(future::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(StorageException.class);
        StorageException e = (StorageException) failure;
        if (kind != null) {
            assertThat(e.kind()).as("kind of: %s", e.getMessage()).isEqualTo(kind);
        }
        assertThat(e.operation()).as("operation of: %s", e.getMessage()).isEqualTo(op);
        assertThat(e.key()).as("key of: %s", e.getMessage()).isEqualTo(key);
        assertThat(e.backend()).as("backend of: %s", e.getMessage()).isNotBlank();
        assertOneLine(e.getMessage());
        return e;
    }

    /**
     * What a future failed with, as it is (a wrapper is a failure of the contract), or {@code null}
     * if it succeeded; waits at most {@link #AWAIT}.
     */
    static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        assertThat(future).as("future").isNotNull();
        return future.handle((value, error) -> error).get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static void assertOneLine(String message) {
        assertThat(message).as("message").isNotBlank();
        assertThat(LINE_BREAK.matcher(message).find())
                .as("message has a line break: %s", message.replace("\n", "\\n").replace("\r", "\\r")
                        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085"))
                .isFalse();
    }
}
