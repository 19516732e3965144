package dev.stowage.app.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Writes the body of every error response, the server's own (a malformed request, headers too large)
 * included: one line of plain text, {@code 404 Not Found}. Unlike Jetty's default page, it echoes
 * nothing of the request, not even its path. Headers already set (an {@code Allow}, a
 * {@code Content-Range}, a {@code WWW-Authenticate}) are kept. Stateless and thread-safe.
 */
final class PlainErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer code ? code : response.getStatus();
        if (status < 100) {
            status = HttpStatus.INTERNAL_SERVER_ERROR_500;
        }
        response.setStatus(status);
        if (HttpStatus.hasNoBody(status)) {
            response.write(true, null, callback);
            return true;
        }
        byte[] body = (status + " " + HttpStatus.getMessage(status) + "\n").getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=UTF-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (!response.getHeaders().contains(HttpHeader.CACHE_CONTROL)) {
            response.getHeaders().put(ErrorHandler.ERROR_CACHE_CONTROL);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
