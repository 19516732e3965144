package dev.stowage.s3;

import java.net.UnknownHostException;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.http.HttpException;

/** What a failure of an S3 call says, whichever HTTP client ({@link S3HttpClient}) raised it. */
public final class S3Failures {
    private static final int MAX_DEPTH = 32;

    private S3Failures() {
    }

    /**
     * Whether the failure, or one of its causes, is a host name that did not resolve: the JDK's
     * {@link UnknownHostException} under Netty, a DNS error code under the CRT.
     */
    public static boolean unknownHost(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
            if (t instanceof UnknownHostException || (t instanceof HttpException h && isDns(h))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the CRT's failure is one of name resolution. */
    static boolean isDns(HttpException e) {
        return CRT.awsErrorName(e.getErrorCode()).startsWith("AWS_IO_DNS_");
    }
}
