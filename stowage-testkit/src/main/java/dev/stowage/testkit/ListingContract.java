package dev.stowage.testkit;

import static dev.stowage.testkit.StorageBackendContract.AWAIT;
import static dev.stowage.testkit.StorageBackendContract.await;
import static dev.stowage.testkit.StorageBackendContract.expectFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.stowage.ErrorKind;
import dev.stowage.Keys;
import dev.stowage.ObjectInfo;
import dev.stowage.Operation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link dev.stowage.StorageBackend#list} and {@link dev.stowage.StorageBackend#forEach}: every key
 * in {@link Keys#ORDER} with its size and time, and its SHA-256 as
 * {@link dev.stowage.Capabilities#listsSha256()} says; demand and cancel obeyed; items on the
 * backend's threads.
 */
abstract class ListingContract extends ContractGroup {
    /** Keys chosen so that folder order and plain string order disagree ("a-b" < "a/" < "a0"), plus non-ASCII. */
    private static final List<String> KEYS = List.of("a/b.txt", "a-b.txt", "a0.txt", "a/c/d.txt", "A.txt", "b.txt",
            "\u00e9t\u00e9.txt", "a b/x.txt", "z/\ud83d\ude00.txt", "z/\u0436.txt");

    ListingContract(StorageBackendContract suite) {
        super(suite);
    }

    static Stream<String> badPrefixes() {
        return Stream.of("/a", "a//", "../x", "a/./b/", "a\\b", "a\nb", "//");
    }

    @Test
    void list_emptyBackend_completesWithNothing() throws Exception {
        assertThat(listAll("")).isEmpty();
    }

    @Test
    void list_everyKey_inKeyOrderWithSizeTimeAndSha256IfClaimed() throws Exception {
        Instant before = Instant.now();
        List<String> sorted = upload();
        Instant after = Instant.now();

        List<ObjectInfo> all = listAll("");

        assertThat(all).extracting(ObjectInfo::key).containsExactlyElementsOf(sorted);
        for (ObjectInfo info : all) {
            byte[] content = contentOf(info.key());
            assertThat(info.sizeBytes()).as("size of %s", info.key()).isEqualTo(content.length);
            assertBetween(info.lastModified(), before, after, "time of " + info.key());
            assertKept(claims().listsSha256(), "listsSha256", info.sha256(), Optional.of(sha256(content)));
        }
    }

    @Test
    void list_prefix_isAStringPrefixOrAFolder() throws Exception {
        upload();

        assertThat(keysOf("a/")).containsExactly("a/b.txt", "a/c/d.txt");
        assertThat(keysOf("a")).containsExactly("a b/x.txt", "a-b.txt", "a/b.txt", "a/c/d.txt", "a0.txt");
        assertThat(keysOf("a/c/")).containsExactly("a/c/d.txt");
        assertThat(keysOf("a/c")).containsExactly("a/c/d.txt");
        assertThat(keysOf("a/b.txt")).containsExactly("a/b.txt");
        // S3 lists in UTF-8 byte order; S3Proxy, the test server, in UTF-16 order: they agree below U+D800.
        assertThat(keysOf("z/")).containsExactly("z/\u0436.txt", "z/\ud83d\ude00.txt");
        assertThat(keysOf("nothing/")).isEmpty();
        assertThat(keysOf("b.txt/")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPrefixes")
    void list_invalidPrefix_failsInvalidKey(String prefix) throws Exception {
        expectFailure(backend().forEach(prefix, info -> { }), ErrorKind.INVALID_KEY, Operation.LIST, prefix);
    }

    @Test
    void list_deliversOnlyWhatWasRequested_thenStopsOnCancel() throws Exception {
        List<String> sorted = upload();
        Signals signals = new Signals(2);
        backend().list("").subscribe(signals);

        assertThat(signals.next()).isEqualTo(sorted.get(0));
        assertThat(signals.next()).isEqualTo(sorted.get(1));
        signals.subscription.request(1);
        assertThat(signals.next()).isEqualTo(sorted.get(2));
        signals.subscription.cancel();
        // A listing that ignored demand or cancel would have delivered the rest by now: the
        // stored keys are few and already fetched.
        signals.subscription.request(100);
        assertThat(signals.queue.poll(200, TimeUnit.MILLISECONDS)).as("a signal after cancel").isNull();
    }

    @Test
    void list_requestOfZero_endsWithIllegalArgument() throws Exception {
        upload();
        Signals signals = new Signals(0);

        backend().list("").subscribe(signals);

        assertThat(signals.next()).as("the first signal after a request of 0").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void list_itemsArriveOnTheBackendsThreads_neverTheCallersOrTheHttpClients() throws Exception {
        upload();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Thread caller = Thread.currentThread();

        await(backend().forEach("", info -> threads.add(Thread.currentThread() == caller ? "the caller" : Thread.currentThread().getName())));

        assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name).isNotEqualTo("the caller")
                .doesNotContainIgnoringCase("eventloop").doesNotContainIgnoringCase("netty").doesNotContain("sdk-async-response"));
    }

    @Test
    void forEach_actionThrows_failsWithItAndStops() throws Exception {
        upload();
        AtomicInteger seen = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");

        Throwable e = catchThrowable(() -> await(backend().forEach("", info -> {
            seen.incrementAndGet();
            throw boom;
        })));

        assertThat(e).hasCause(boom);
        assertThat(seen).hasValue(1);
    }

    /** Uploads {@link #KEYS}, each with content of its own, and returns them in key order. */
    private List<String> upload() throws Exception {
        for (String key : KEYS) {
            await(backend().uploadFile(source(contentOf(key)), key));
        }
        List<String> sorted = new ArrayList<>(KEYS);
        sorted.sort(Keys.ORDER);
        return sorted;
    }

    private static byte[] contentOf(String key) {
        return utf8("content of " + key);
    }

    private List<ObjectInfo> listAll(String prefix) throws Exception {
        List<ObjectInfo> all = Collections.synchronizedList(new ArrayList<>());
        long count = await(backend().forEach(prefix, all::add));
        assertThat(count).as("count forEach reports").isEqualTo(all.size());
        return all;
    }

    private List<String> keysOf(String prefix) throws Exception {
        return listAll(prefix).stream().map(ObjectInfo::key).collect(Collectors.toList());
    }

    /** A subscriber that asks for some items at first and queues every signal: keys, the error, or "complete". */
    private static final class Signals implements Flow.Subscriber<ObjectInfo> {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final long initialRequest;
        volatile Flow.Subscription subscription;

        Signals(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        /** The next signal, waiting at most {@link StorageBackendContract#AWAIT}. */
        Object next() throws InterruptedException {
            return queue.poll(AWAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(initialRequest);
        }

        @Override
        public void onNext(ObjectInfo item) {
            queue.add(item.key());
        }

        @Override
        public void onError(Throwable e) {
            queue.add(e);
        }

        @Override
        public void onComplete() {
            queue.add("complete");
        }
    }
}
