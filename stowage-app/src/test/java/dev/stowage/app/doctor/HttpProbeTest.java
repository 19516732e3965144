package dev.stowage.app.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The doctor's plain GET against a server on 127.0.0.1 that answers as it is told, byte for byte. */
class HttpProbeTest {
    private final CountDownLatch done = new CountDownLatch(1);
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        done.countDown();
        server.close();
    }

    /** Answers one request with {@code head} and {@code body}, then holds the connection open until the test ends. */
    private URI serve(String head, byte[] body) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                in.read(new byte[8192]);
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                done.await();
            } catch (IOException | InterruptedException e) {
                // The test has ended.
            }
        }, "stalling-server");
        thread.setDaemon(true);
        thread.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/probe.bin");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // the hang this test is about; the probe gives up after 1 s
    void aServerThatStallsInTheBody_isNoAnswer_afterTheTimeout() throws IOException {
        URI url = serve("HTTP/1.1 200 OK\r\nContent-Length: 5120\r\n\r\n", "only ten b".getBytes(StandardCharsets.US_ASCII));

        Throwable e = catchThrowable(() -> new HttpProbe(Duration.ofSeconds(1)).get(url));

        assertThat(e).isInstanceOf(HttpTimeoutException.class).hasMessage("no whole answer within 1 s");
    }

    @Test
    void aBody_isReadUpToTheLimit_andSaidToBeTruncated() throws Exception {
        byte[] large = new byte[HttpProbe.MAX_BODY_BYTES + 4096];
        Arrays.fill(large, (byte) 'x');
        URI url = serve("HTTP/1.1 200 OK\r\nContent-Length: " + large.length + "\r\n\r\n", large);

        HttpProbe.Got got = new HttpProbe(Duration.ofSeconds(30)).get(url);

        assertThat(got.status()).isEqualTo(200);
        assertThat(got.truncated()).isTrue();
        assertThat(got.body()).hasSize(HttpProbe.MAX_BODY_BYTES);
    }

    @Test
    void aWholeBody_isReadAsSent() throws Exception {
        URI url = serve("HTTP/1.1 403 Forbidden\r\nContent-Length: 13\r\n\r\n", "<AccessDenied".getBytes(StandardCharsets.US_ASCII));

        HttpProbe.Got got = new HttpProbe(Duration.ofSeconds(30)).get(url);

        assertThat(got.status()).isEqualTo(403);
        assertThat(got.truncated()).isFalse();
        assertThat(new String(got.body(), StandardCharsets.US_ASCII)).isEqualTo("<AccessDenied");
    }

    @Test
    void aRedirectNotFollowed_saysWhereItLeads() throws Exception {
        URI url = serve("HTTP/1.1 300 Multiple Choices\r\nLocation: http://user:pw@cdn.example.com/probe.bin?X-Amz-Signature=abc\r\n"
                + "Content-Length: 0\r\n\r\n", new byte[0]);

        HttpProbe.Got got = new HttpProbe(Duration.ofSeconds(30)).get(url);

        assertThat(got.status()).isEqualTo(300);
        assertThat(got.location()).hasValue("http://user:pw@cdn.example.com/probe.bin?X-Amz-Signature=abc");
        assertThat(Checkup.shownLocation(got.location().get())).isEqualTo("http://****@cdn.example.com/probe.bin?...");
    }

    @Test
    void anAnswerThatIsNoRedirect_hasNoLocation() throws Exception {
        URI url = serve("HTTP/1.1 200 OK\r\nLocation: /elsewhere\r\nContent-Length: 2\r\n\r\n", "ok".getBytes(StandardCharsets.US_ASCII));

        assertThat(new HttpProbe(Duration.ofSeconds(30)).get(url).location()).isEmpty();
    }
}
