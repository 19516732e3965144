package dev.stowage.app.http;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.CompressedContentFormat;
import org.eclipse.jetty.http.DateGenerator;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.IOResources;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * One file as Jetty's {@code ResourceService} sends it: its type, length, time and a strong ETag
 * taken from one reading of its attributes, and its bytes streamed from the file. Immutable.
 *
 * <p>A file of up to {@value #SMALL_BYTES} bytes is read in one go and written in one write. A
 * larger one goes through {@link IOResources#copy}, which reads the file through a channel into one
 * pooled buffer at a time and writes each asynchronously before reading the next: a large file
 * never sits in the heap. A {@code HEAD} request reads nothing.
 *
 * <p>The ETag is strong, made of the modification time, size and file identity (device and inode
 * where the platform has them), so {@code If-Range} and {@code If-Match} can use it; it holds only
 * hex digits and dots, because {@code ResourceService} cuts a tag at its last '-' before comparing.
 */
final class FileContent implements HttpContent {
    static final int SMALL_BYTES = 64 * 1024;

    private final Path path;
    private final HttpField contentType;
    private final String mediaType;
    private final long length;
    private final Instant lastModified;
    private final HttpField etag;
    private final ByteBufferPool.Sized buffers;
    private final boolean head;

    FileContent(Path path, BasicFileAttributes attributes, String mediaType, ByteBufferPool.Sized buffers, boolean head) {
        this.path = path;
        this.mediaType = mediaType;
        this.contentType = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, mediaType);
        this.length = attributes.size();
        this.lastModified = attributes.lastModifiedTime().toInstant();
        this.etag = new PreEncodedHttpField(HttpHeader.ETAG, strongEtag(attributes));
        this.buffers = buffers;
        this.head = head;
    }

    static String strongEtag(BasicFileAttributes attributes) {
        StringBuilder tag = new StringBuilder(48).append('"')
                .append(Long.toHexString(attributes.lastModifiedTime().to(TimeUnit.MICROSECONDS)))
                .append('.').append(Long.toHexString(attributes.size()));
        Object identity = attributes.fileKey();
        if (identity != null) {
            tag.append('.').append(Integer.toHexString(identity.hashCode()));
        }
        return tag.append('"').toString();
    }

    @Override
    public HttpField getContentType() {
        return contentType;
    }

    @Override
    public HttpField getContentEncoding() {
        return null;
    }

    @Override
    public HttpField getContentLength() {
        return new HttpField.LongValueHttpField(HttpHeader.CONTENT_LENGTH, length);
    }

    @Override
    public HttpField getLastModified() {
        return new HttpField(HttpHeader.LAST_MODIFIED, DateGenerator.formatDate(lastModified));
    }

    @Override
    public HttpField getETag() {
        return etag;
    }

    @Override
    public String getCharacterEncoding() {
        return MimeTypes.getCharsetFromContentType(mediaType);
    }

    @Override
    public MimeTypes.Type getMimeType() {
        return MimeTypes.CACHE.get(MimeTypes.getContentTypeWithoutCharset(mediaType));
    }

    @Override
    public Instant getLastModifiedInstant() {
        return lastModified;
    }

    @Override
    public long getContentLengthValue() {
        return length;
    }

    @Override
    public Resource getResource() {
        return ResourceFactory.root().newResource(path);
    }

    @Override
    public void writeTo(Content.Sink sink, long offset, long count, Callback callback) {
        if (head) {
            sink.write(true, BufferUtil.EMPTY_BUFFER, callback);
        } else if (length <= SMALL_BYTES) {
            writeSmall(sink, offset, count < 0 ? length - offset : count, callback);
        } else {
            IOResources.copy(getResource(), sink, buffers, offset, count, callback);
        }
    }

    /** Reads {@code count} bytes from {@code offset} at once, then writes them; a file cut shorter since fails. */
    private void writeSmall(Content.Sink sink, long offset, long count, Callback callback) {
        ByteBuffer bytes;
        try {
            bytes = read(offset, count);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        sink.write(true, bytes, callback);
    }

    /** The whole of a file of up to {@value #SMALL_BYTES} bytes, read at once, ready to write. */
    ByteBuffer readAll() throws IOException {
        return read(0, length);
    }

    private ByteBuffer read(long offset, long count) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) count);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (bytes.hasRemaining() && channel.read(bytes, offset + bytes.position()) >= 0) {
                // read on until the count or the end of the file
            }
        }
        if (bytes.hasRemaining()) {
            throw new EOFException(path + " is shorter than its attributes said");
        }
        return bytes.flip();
    }

    @Override
    public Set<CompressedContentFormat> getPreCompressedContentFormats() {
        // Empty, not null: ResourceService adds "Vary: Accept-Encoding" for null.
        return Set.of();
    }

    @Override
    public String toString() {
        return "FileContent[" + path + ", " + mediaType + ", " + length + " bytes]";
    }
}
