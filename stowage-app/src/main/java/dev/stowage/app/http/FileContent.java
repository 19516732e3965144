package dev.stowage.app.http;

import java.nio.file.Path;
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
 * <p>The bytes go through {@link IOResources#copy}, which reads the file through a channel into one
 * pooled buffer at a time and writes each asynchronously before reading the next: a large file
 * never sits in the heap. A {@code HEAD} request reads nothing.
 *
 * <p>The ETag is strong, made of the modification time, size and file identity (device and inode
 * where the platform has them), so {@code If-Range} and {@code If-Match} can use it; it holds only
 * hex digits and dots, because {@code ResourceService} cuts a tag at its last '-' before comparing.
 */
final class FileContent implements HttpContent {
    private final Resource resource;
    private final HttpField contentType;
    private final String mediaType;
    private final long length;
    private final Instant lastModified;
    private final HttpField etag;
    private final ByteBufferPool.Sized buffers;
    private final boolean head;

    FileContent(Path path, BasicFileAttributes attributes, String mediaType, ByteBufferPool.Sized buffers, boolean head) {
        this.resource = ResourceFactory.root().newResource(path);
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
        return resource;
    }

    @Override
    public void writeTo(Content.Sink sink, long offset, long count, Callback callback) {
        if (head) {
            sink.write(true, BufferUtil.EMPTY_BUFFER, callback);
        } else {
            IOResources.copy(resource, sink, buffers, offset, count, callback);
        }
    }

    @Override
    public Set<CompressedContentFormat> getPreCompressedContentFormats() {
        // Empty, not null: ResourceService adds "Vary: Accept-Encoding" for null.
        return Set.of();
    }

    @Override
    public String toString() {
        return "FileContent[" + resource + ", " + mediaType + ", " + length + " bytes]";
    }
}
