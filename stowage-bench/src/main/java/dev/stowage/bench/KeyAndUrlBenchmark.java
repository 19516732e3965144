package dev.stowage.bench;

import dev.stowage.Keys;
import dev.stowage.Urls;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-key cost paid on every operation: key validation plus URL building, against
 * {@code URLEncoder} on the same key (the reference; it encodes a form value, not a path, so it
 * is only a yardstick of the JDK's speed at a similar job).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyAndUrlBenchmark {
    private final String key = "media/2026/11/holiday photos/été à la mer + amis #3.jpg";
    private final URI base = Urls.baseUrl("https://cdn.example.com/files/");

    @Benchmark
    public URI validateAndJoin() {
        return Urls.join(base, Keys.validate(key));
    }

    @Benchmark
    public String reference_urlEncoder() {
        return URLEncoder.encode(key, StandardCharsets.UTF_8);
    }
}
