package dev.stowage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

class SigV4Test {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** The GET Object example of Amazon S3's Signature Version 4 documentation (header-based authentication). */
    @Test
    void signsTheDocumentedGetObjectExample() {
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", "examplebucket.s3.amazonaws.com");
        headers.put("range", "bytes=0-9");
        headers.put("x-amz-content-sha256", EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");

        String authorization = new SigV4("us-east-1").authorization(
                AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                "GET", "20130524T000000Z", "/test.txt", "", headers, EMPTY_SHA256);

        assertThat(authorization).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + " SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + " Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    /** The GET Bucket (List Objects) example of the same documentation: a request with a query string. */
    @Test
    void signsTheDocumentedListObjectsExample() {
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", "examplebucket.s3.amazonaws.com");
        headers.put("x-amz-content-sha256", EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");

        String authorization = new SigV4("us-east-1").authorization(
                AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                "GET", "20130524T000000Z", "/", "max-keys=2&prefix=J", headers, EMPTY_SHA256);

        assertThat(authorization).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + " SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + " Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    }

    @Test
    void theKeyOfADayIsNotTheKeyOfAnother_norOfAnotherSecret() {
        SigV4 signer = new SigV4("us-east-1");
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", "examplebucket.s3.amazonaws.com");
        AwsBasicCredentials one = AwsBasicCredentials.create("AKID", "secret-one");
        String first = signer.authorization(one, "PUT", "20130524T000000Z", "/a", "", headers, EMPTY_SHA256);
        String nextDay = signer.authorization(one, "PUT", "20130525T000000Z", "/a", "", headers, EMPTY_SHA256);
        String again = signer.authorization(one, "PUT", "20130524T000000Z", "/a", "", headers, EMPTY_SHA256);
        String otherSecret = signer.authorization(AwsBasicCredentials.create("AKID", "secret-two"), "PUT",
                "20130524T000000Z", "/a", "", headers, EMPTY_SHA256);

        assertThat(again).isEqualTo(first);
        assertThat(nextDay).isNotEqualTo(first);
        assertThat(otherSecret).isNotEqualTo(first).doesNotContain("secret-two");
    }
}
