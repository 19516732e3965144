package dev.stowage.layer;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently to retry: exponential backoff from {@code initialDelay}, doubling
 * each time up to {@code maxDelay}, each delay shortened by a random part of up to {@code jitter}
 * of itself so that many clients do not retry in step.
 *
 * @param maxAttempts  attempts in all, the first included; 1 means no retry
 * @param initialDelay the delay before the second attempt, before jitter
 * @param maxDelay     the longest delay between two attempts
 * @param jitter       the share of each delay that is random, from 0 (none) to 1 (full jitter)
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, double jitter) {

    /** The longest pause a policy may have: a day. */
    public static final Duration MAX_DELAY = Duration.ofDays(1);

    public RetryPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        if (initialDelay.isNegative()) {
            throw new IllegalArgumentException("initialDelay must be >= 0: " + initialDelay);
        }
        if (maxDelay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("maxDelay must be at most " + MAX_DELAY + ": " + maxDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be >= initialDelay: " + maxDelay + " < " + initialDelay);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
    }

    /** Four attempts, 200 ms doubling up to 10 s, half of each delay random. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5);
    }

    /** One attempt: no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 0);
    }

    /** This policy with another number of attempts. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialDelay, maxDelay, jitter);
    }

    /**
     * The pause after the given failed attempt (1 for the first).
     *
     * @param random a number in [0, 1) that picks the jitter
     */
    public Duration delayAfter(int attempt, double random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1: " + attempt);
        }
        long base = initialDelay.toNanos();
        long cap = maxDelay.toNanos();
        for (int i = 1; i < attempt && base < cap; i++) {
            base = base > cap / 2 ? cap : base * 2;
        }
        base = Math.min(base, cap);
        return Duration.ofNanos(base - (long) (base * jitter * random));
    }
}
