package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArchiveTrainingTest {
    /** A listing, an upload, a stat and a listing of multipart uploads, each answered: the S3 client ran each request and answer. */
    @Test
    void makesThePublishRequestsAgainstItsLoopbackResponder_andLeavesTheCredentialPropertiesAsTheyWere() {
        String before = System.getProperty("aws.accessKeyId");

        int answered = ArchiveTraining.run();

        assertThat(answered).isGreaterThanOrEqualTo(4);
        assertThat(System.getProperty("aws.accessKeyId")).isEqualTo(before);
        assertThat(System.getProperty("aws.secretAccessKey")).isNull();
    }

    @Test
    void isAskedForOnlyByTheLaunchersArchiveRun() {
        assertThat(ArchiveTraining.asked()).isFalse();
    }
}
