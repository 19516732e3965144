package dev.stowage.sync;

import dev.stowage.ErrorKind;
import dev.stowage.Operation;
import dev.stowage.ResumePoint;
import dev.stowage.StorageException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The state of one published folder, in an embedded SQLite database: the last scan, what the
 * target confirmed it holds, and the operations waiting for the next run.
 *
 * <pre>{@code
 * try (StateStore state = StateStore.open(root.resolve(".stowage/state.db"))) {
 *     System.out.println(state.pending());
 * }
 * }</pre>
 *
 * <p>The database runs in WAL mode with {@code synchronous=NORMAL}: every committed change survives
 * the process being killed at any moment. A store holds an exclusive lock on its database while
 * open, so a second process opening the same state fails at once with {@code CONFLICT}. Opening
 * migrates an older schema and refuses a newer one.
 *
 * <p>Thread-safe: calls are serialised on one connection; the scanner's long read of the last
 * scan runs on a second, read-only connection and sees the database as it was when it began.
 * Failures are {@link StorageException}s of kind {@code IO} (or {@code INVALID_CONFIG} when the
 * file is not a state database) naming the database.
 */
public final class StateStore implements AutoCloseable {
    static final int PAGE = 1000;
    /** The setting that holds the {@link #generation()}. */
    private static final String GENERATION = "generation";
    /** The setting that holds the generation at which the diff was last found empty. */
    private static final String EMPTY_DIFF = "empty_diff_generation";

    private final Path database;
    private final StateLock lock;
    private final Connection connection;
    /** Statements run once per file, prepared once: preparing costs more than running them. */
    private final java.util.Map<String, PreparedStatement> prepared = new java.util.HashMap<>();

    private StateStore(Path database, StateLock lock, Connection connection) {
        this.database = database;
        this.lock = lock;
        this.connection = connection;
    }

    /**
     * Opens (creating if needed) the state database at {@code database}, locking it for this store.
     *
     * @throws StorageException {@code CONFLICT} when another process holds it; {@code INVALID_CONFIG}
     *         when it cannot be created, is not a state database, or was written by a newer version
     */
    public static StateStore open(Path database) {
        Path file = database.toAbsolutePath().normalize();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw StorageException.invalidConfig("cannot create the state folder " + file.getParent() + ": " + e.getMessage());
        }
        StateLock lock = StateLock.acquire(file);
        Connection connection = null;
        try {
            connection = connect(file);
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
            }
            migrate(file, connection);
            return new StateStore(file, lock, connection);
        } catch (SQLException e) {
            closeQuietly(connection);
            lock.close();
            throw StorageException.invalidConfig("state " + file + " cannot be opened: " + oneLine(e));
        } catch (RuntimeException e) {
            closeQuietly(connection);
            lock.close();
            throw e;
        }
    }

    private static Connection connect(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    private static void migrate(Path file, Connection connection) throws SQLException {
        int version;
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("PRAGMA user_version")) {
            version = r.getInt(1);
        }
        if (version > Schema.currentVersion()) {
            throw StorageException.invalidConfig("state " + file + " has schema version " + version
                    + ", newer than this Stowage knows (" + Schema.currentVersion() + "); use a newer Stowage");
        }
        for (int v = version; v < Schema.currentVersion(); v++) {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (String sql : Schema.MIGRATIONS.get(v)) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version=" + (v + 1));
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** The database file. */
    public Path database() {
        return database;
    }

    /** The number of files in the last scan. */
    public synchronized long fileCount() {
        return queryLong("SELECT count(*) FROM files");
    }

    /** The number of files the target holds, as it confirmed. */
    public synchronized long publishedCount() {
        return queryLong("SELECT count(*) FROM published");
    }

    /** The number of files in the last scan and their total size. */
    synchronized long[] fileTotals() {
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*), coalesce(sum(size), 0) FROM files")) {
            return new long[] {r.getLong(1), r.getLong(2)};
        } catch (SQLException e) {
            throw failure("count the files", e);
        }
    }

    /** The last scan's record of {@code key}. */
    public synchronized Optional<FileState> file(String key) {
        return rows("read a file", "SELECT key, size, mtime_ns, inode, ctime_ns, sha256 FROM files WHERE key = ?",
                StateStore::fileState, key).stream().findFirst();
    }

    /** What the target confirmed it holds for {@code key}. */
    public synchronized Optional<PublishedFile> published(String key) {
        return rows("read a published file", "SELECT key, size, sha256, url FROM published WHERE key = ?",
                StateStore::publishedFile, key).stream().findFirst();
    }

    /** The operations that failed and wait for the next run, in key order. */
    public synchronized List<PendingOperation> pending() {
        return rows("read the pending operations",
                "SELECT key, operation, attempts, last_error, last_attempt_ms FROM pending ORDER BY key",
                r -> new PendingOperation(r.getString(1), Operation.valueOf(r.getString(2)), r.getInt(3),
                        r.getString(4), Instant.ofEpochMilli(r.getLong(5))));
    }

    /** The folder as the last scan saw it. */
    public Snapshot snapshot() {
        return new Snapshot(this);
    }

    /** How many operations wait for the next run. */
    public synchronized long pendingCount() {
        return queryLong("SELECT count(*) FROM pending");
    }

    /** The difference between the last scan and what is published, read as it is needed. */
    public synchronized FileDiff diff() {
        // A diff found empty stays empty until the state changes: an unchanged folder skips the join.
        String generation = Long.toString(generation());
        if (generation.equals(meta(EMPTY_DIFF).orElse(null))) {
            return FileDiff.empty(this);
        }
        FileDiff diff = new FileDiff(this);
        if (diff.isEmpty()) {
            putMeta(EMPTY_DIFF, generation);
        }
        return diff;
    }

    // ---- the scan ---------------------------------------------------------------------------

    /**
     * Opens a cursor over the last scan in key order, on its own connection, so the scan can
     * write while it reads; the cursor sees the state as it was when opened.
     */
    RowCursor<HashedFile> filesInKeyOrder() {
        return cursor("read the last scan",
                "SELECT key, size, mtime_ns, inode, ctime_ns, sha256, hashed_at_ns, path FROM files ORDER BY key",
                r -> new HashedFile(fileState(r), r.getString(8), r.getLong(7)));
    }

    /** Where to read {@code key}'s file, relative to the root, as the last scan found it. */
    synchronized Optional<HashedFile> scanned(String key) {
        return rows("read a file", "SELECT key, size, mtime_ns, inode, ctime_ns, sha256, hashed_at_ns, path FROM files"
                + " WHERE key = ?", r -> new HashedFile(fileState(r), r.getString(8), r.getLong(7)), key)
                .stream().findFirst();
    }

    private <T> RowCursor<T> cursor(String what, String query, RowCursor.RowMapper<T> mapper) {
        try {
            return new RowCursor<>(connect(database), query, mapper);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Records freshly hashed files, replacing their old rows, in one transaction. */
    synchronized void putFiles(Collection<HashedFile> files) {
        if (files.isEmpty()) {
            return;
        }
        inTransaction("record scanned files", () -> {
            try (PreparedStatement s = connection.prepareStatement("INSERT OR REPLACE INTO files"
                    + " (key, size, mtime_ns, inode, ctime_ns, sha256, hashed_at_ns, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (HashedFile f : files) {
                    FileState state = f.state();
                    s.setString(1, state.key());
                    s.setLong(2, state.size());
                    s.setLong(3, state.mtimeNanos());
                    s.setLong(4, state.inode());
                    s.setLong(5, state.ctimeNanos());
                    s.setString(6, state.sha256());
                    s.setLong(7, f.hashedAtNanos());
                    s.setString(8, f.source());
                    s.addBatch();
                }
                s.executeBatch();
            }
        });
    }

    /** Forgets files the scan no longer found, in one transaction. */
    synchronized void removeFiles(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        inTransaction("forget removed files", () -> {
            try (PreparedStatement s = connection.prepareStatement("DELETE FROM files WHERE key = ?")) {
                for (String key : keys) {
                    s.setString(1, key);
                    s.addBatch();
                }
                s.executeBatch();
            }
        });
    }

    // ---- the diff ---------------------------------------------------------------------------

    /** Up to {@code limit} files to upload with keys after {@code after}, in key order. */
    synchronized List<Change> changesAfter(String after, int limit) {
        return rows("read the files to upload",
                "SELECT f.key, f.size, f.sha256, p.key IS NULL FROM files f LEFT JOIN published p ON p.key = f.key"
                        + " WHERE f.key > ? AND (p.key IS NULL OR p.sha256 <> f.sha256 OR p.size <> f.size)"
                        + " ORDER BY f.key LIMIT ?", r -> new Change(r.getString(1), r.getLong(2), r.getString(3), r.getBoolean(4)), after, limit);
    }

    /** The upload {@code key} needs, if the last scan has it with content the target does not hold. */
    synchronized Optional<Change> change(String key) {
        return rows("read a file to upload", "SELECT f.key, f.size, f.sha256, p.key IS NULL"
                + " FROM files f LEFT JOIN published p ON p.key = f.key WHERE f.key = ?"
                + " AND (p.key IS NULL OR p.sha256 <> f.sha256 OR p.size <> f.size)", r -> new Change(r.getString(1), r.getLong(2), r.getString(3), r.getBoolean(4)), key)
                .stream().findFirst();
    }

    /** Up to {@code limit} published keys the last scan no longer has, after {@code after}. */
    synchronized List<String> removedAfter(String after, int limit) {
        return rows("read the files to delete", "SELECT p.key FROM published p WHERE p.key > ?"
                + " AND NOT EXISTS (SELECT 1 FROM files f WHERE f.key = p.key) ORDER BY p.key LIMIT ?",
                r -> r.getString(1), after, limit);
    }

    /** Counts of the diff: added, modified, bytes to upload, removed. */
    synchronized long[] diffCounts() {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(
                "SELECT coalesce(sum(p.key IS NULL), 0), coalesce(sum(p.key IS NOT NULL), 0), coalesce(sum(f.size), 0)"
                        + " FROM files f LEFT JOIN published p ON p.key = f.key"
                        + " WHERE p.key IS NULL OR p.sha256 <> f.sha256 OR p.size <> f.size")) {
            long added = r.getLong(1);
            long modified = r.getLong(2);
            long bytes = r.getLong(3);
            long removed = queryLong("SELECT count(*) FROM published p WHERE NOT EXISTS"
                    + " (SELECT 1 FROM files f WHERE f.key = p.key)");
            return new long[] {added, modified, bytes, removed};
        } catch (SQLException e) {
            throw failure("count the changes", e);
        }
    }

    // ---- what the target holds --------------------------------------------------------------

    /** Records that the target confirmed {@code change} at {@code url}, clearing its pending entry. */
    synchronized void recordPublished(Change change, URI url, long nowMillis) {
        recordPublished(List.of(new PublishedFile(change.key(), change.size(), change.sha256(), url)), nowMillis);
    }

    /** The same for several uploads, in one transaction. */
    synchronized void recordPublished(List<PublishedFile> files, long nowMillis) {
        if (files.isEmpty()) {
            return;
        }
        inTransaction(files.size() == 1 ? "record an upload" : "record " + files.size() + " uploads", () -> {
            PreparedStatement publish = prepared("INSERT OR REPLACE INTO published"
                    + " (key, size, sha256, url, published_at_ms) VALUES (?, ?, ?, ?, ?)");
            PreparedStatement unfallback = prepared("DELETE FROM fallback WHERE key = ?");
            for (PublishedFile file : files) {
                publish.setString(1, file.key());
                publish.setLong(2, file.size());
                publish.setString(3, file.sha256());
                publish.setString(4, file.url().toString());
                publish.setLong(5, nowMillis);
                publish.executeUpdate();
                unfallback.setString(1, file.key());
                unfallback.executeUpdate();
                clearPending(file.key());
            }
        });
    }

    /** Records that the target confirmed the delete of {@code keys}, clearing their pending entries. */
    synchronized void recordDeleted(Collection<String> keys) {
        inTransaction("record deletes", () -> {
            try (PreparedStatement s = connection.prepareStatement("DELETE FROM published WHERE key = ?")) {
                for (String key : keys) {
                    s.setString(1, key);
                    s.addBatch();
                    clearPending(key);
                }
                s.executeBatch();
            }
        });
    }

    /** Records a failed attempt at {@code operation} on {@code key}, counting the attempts. */
    synchronized void recordFailure(String key, Operation operation, String error, long nowMillis) {
        inTransaction("record a failure", () -> {
            try (PreparedStatement s = connection.prepareStatement("INSERT INTO pending"
                    + " (key, operation, attempts, last_error, last_attempt_ms) VALUES (?, ?, 1, ?, ?)"
                    + " ON CONFLICT (key) DO UPDATE SET operation = excluded.operation,"
                    + " attempts = pending.attempts + 1, last_error = excluded.last_error,"
                    + " last_attempt_ms = excluded.last_attempt_ms")) {
                s.setString(1, key);
                s.setString(2, operation.name());
                s.setString(3, error);
                s.setLong(4, nowMillis);
                s.executeUpdate();
            }
        });
    }

    /** Drops pending entries that no longer match the diff (a file restored, a removal undone). */
    synchronized void dropSettledPending() {
        inTransaction("tidy the pending operations", () -> {
            try (Statement s = connection.createStatement()) {
                s.executeUpdate("DELETE FROM pending WHERE operation = 'UPLOAD' AND (NOT EXISTS"
                        + " (SELECT 1 FROM files f WHERE f.key = pending.key) OR EXISTS (SELECT 1 FROM files f"
                        + " JOIN published p ON p.key = f.key WHERE f.key = pending.key"
                        + " AND p.sha256 = f.sha256 AND p.size = f.size))");
                s.executeUpdate("DELETE FROM fallback WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.key = fallback.key"
                        + " AND f.sha256 = fallback.sha256)");
                s.executeUpdate("DELETE FROM pending WHERE operation = 'DELETE' AND (EXISTS"
                        + " (SELECT 1 FROM files f WHERE f.key = pending.key) OR NOT EXISTS"
                        + " (SELECT 1 FROM published p WHERE p.key = pending.key))");
            }
        });
    }

    /** Every file the target confirmed, in key order. Reads on its own connection; close the cursor when done. */
    RowCursor<PublishedFile> publishedInKeyOrder() {
        return cursor("read the published files", "SELECT key, size, sha256, url FROM published ORDER BY key",
                StateStore::publishedFile);
    }

    /**
     * What the manifest lists, in key order: every file of the last scan the target holds as it
     * is; else the one the local fallback serves as it is (pending); else the older content the
     * target still holds. Reads on its own connection; close the cursor when done.
     */
    RowCursor<ManifestEntry> manifestEntries() {
        return cursor("read the manifest's files", "SELECT f.key,"
                + " CASE WHEN p.sha256 IS f.sha256 OR l.sha256 IS NOT f.sha256 THEN p.size ELSE l.size END,"
                + " CASE WHEN p.sha256 IS f.sha256 OR l.sha256 IS NOT f.sha256 THEN p.sha256 ELSE l.sha256 END,"
                + " CASE WHEN p.sha256 IS f.sha256 OR l.sha256 IS NOT f.sha256 THEN p.url ELSE l.url END,"
                + " NOT (p.sha256 IS f.sha256 OR l.sha256 IS NOT f.sha256)"
                + " FROM files f LEFT JOIN published p ON p.key = f.key LEFT JOIN fallback l ON l.key = f.key"
                + " WHERE p.key IS NOT NULL OR l.sha256 = f.sha256 ORDER BY f.key",
                r -> new ManifestEntry(r.getString(1), r.getLong(2), r.getString(3), URI.create(r.getString(4)),
                        r.getBoolean(5)));
    }

    /** Forgets that the target holds {@code key}: it does not, so the next publish uploads it. */
    synchronized void forgetPublishedFile(String key) {
        inTransaction("forget a published file", () -> {
            try (PreparedStatement s = connection.prepareStatement("DELETE FROM published WHERE key = ?")) {
                s.setString(1, key);
                s.executeUpdate();
            }
        });
    }

    /** Forgets everything published: the target changed, so nothing of the old one counts. */
    synchronized void forgetPublished() {
        inTransaction("forget the old target", () -> {
            try (Statement s = connection.createStatement()) {
                s.executeUpdate("DELETE FROM published");
                s.executeUpdate("DELETE FROM pending");
                s.executeUpdate("DELETE FROM uploads");
                s.executeUpdate("DELETE FROM fallback");
            }
        });
    }

    // ---- uploads in parts -------------------------------------------------------------------

    synchronized Optional<ResumePoint> upload(String key) {
        return rows("read an upload in progress",
                "SELECT key, upload_id, size, sha256, part_size, started_ms FROM uploads WHERE key = ?",
                r -> new ResumePoint(r.getString(1), r.getString(2), r.getLong(3), r.getString(4), r.getLong(5),
                        Instant.ofEpochMilli(r.getLong(6))), key).stream().findFirst();
    }

    synchronized void saveUpload(ResumePoint point) {
        inTransaction("record an upload in progress", () -> {
            try (PreparedStatement s = connection.prepareStatement("INSERT OR REPLACE INTO uploads"
                    + " (key, upload_id, size, sha256, part_size, started_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, point.key());
                s.setString(2, point.uploadId());
                s.setLong(3, point.size());
                s.setString(4, point.sha256());
                s.setLong(5, point.partSize());
                s.setLong(6, point.started().toEpochMilli());
                s.executeUpdate();
            }
        });
    }

    synchronized void removeUpload(String key, String uploadId) {
        inTransaction("forget an upload in progress", () -> {
            try (PreparedStatement s = connection.prepareStatement("DELETE FROM uploads WHERE key = ? AND upload_id = ?")) {
                s.setString(1, key);
                s.setString(2, uploadId);
                s.executeUpdate();
            }
        });
    }

    /** Forgets uploads in progress whose file is gone or has other content now: they will not be resumed. */
    synchronized long dropUnneededUploads() {
        long[] dropped = new long[1];
        inTransaction("forget uploads no longer needed", () -> {
            try (Statement s = connection.createStatement()) {
                dropped[0] = s.executeUpdate("DELETE FROM uploads WHERE NOT EXISTS (SELECT 1 FROM files f"
                        + " WHERE f.key = uploads.key AND f.sha256 = uploads.sha256 AND f.size = uploads.size)");
            }
        });
        return dropped[0];
    }

    // ---- the local fallback -----------------------------------------------------------------

    /** Records that the local fallback serves {@code change} at {@code url} until the target has it. */
    synchronized void recordFallback(Change change, URI url) {
        inTransaction("record a fallback", () -> {
            try (PreparedStatement s = connection.prepareStatement(
                    "INSERT OR REPLACE INTO fallback (key, size, sha256, url) VALUES (?, ?, ?, ?)")) {
                s.setString(1, change.key());
                s.setLong(2, change.size());
                s.setString(3, change.sha256());
                s.setString(4, url.toString());
                s.executeUpdate();
            }
        });
    }

    /** Up to {@code limit} files pending upload that the fallback does not serve as they are, after {@code after}. */
    synchronized List<Change> unservedAfter(String after, int limit) {
        return rows("read the files to serve locally", "SELECT f.key, f.size, f.sha256, p.key IS NULL"
                + " FROM pending q JOIN files f ON f.key = q.key LEFT JOIN published p ON p.key = f.key"
                + " LEFT JOIN fallback l ON l.key = f.key WHERE q.operation = 'UPLOAD' AND q.key > ?"
                + " AND (l.key IS NULL OR l.sha256 <> f.sha256) ORDER BY q.key LIMIT ?", r -> new Change(r.getString(1), r.getLong(2), r.getString(3), r.getBoolean(4)), after, limit);
    }

    // ---- settings ---------------------------------------------------------------------------

    synchronized Optional<String> meta(String name) {
        return rows("read a setting", "SELECT value FROM meta WHERE name = ?", r -> r.getString(1), name)
                .stream().findFirst();
    }

    /** Sets a setting; the state's generation stays as it is. */
    synchronized void putMeta(String name, String value) {
        inTransaction("write a setting", () -> {
            try (PreparedStatement s = connection.prepareStatement("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)")) {
                s.setString(1, name);
                s.setString(2, value);
                s.executeUpdate();
            }
        }, false);
    }

    /**
     * A number that grows with every transaction that changes the files, what the target holds or
     * the pending operations (settings aside): what was computed from the state at one generation
     * holds as long as the generation is the same.
     */
    synchronized long generation() {
        return meta(GENERATION).map(Long::parseLong).orElse(0L);
    }

    private long totalChanges() throws SQLException {
        return connection.unwrap(org.sqlite.SQLiteConnection.class).getDatabase().total_changes();
    }

    @Override
    public synchronized void close() {
        try {
            for (PreparedStatement s : prepared.values()) {
                s.close();
            }
            prepared.clear();
            connection.close();
        } catch (SQLException e) {
            throw failure("close", e);
        } finally {
            lock.close();
        }
    }

    @Override
    public String toString() {
        return "StateStore[" + database + "]";
    }

    // ---- helpers ----------------------------------------------------------------------------

    private interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs {@code work} in one transaction, which counts as a change of the state if it changed a row. */
    private void inTransaction(String what, SqlWork work) {
        inTransaction(what, work, true);
    }

    private void inTransaction(String what, SqlWork work, boolean counted) {
        try {
            connection.setAutoCommit(false);
            try {
                long before = totalChanges();
                work.run();
                if (counted && totalChanges() != before) {
                    PreparedStatement bump = prepared("INSERT INTO meta (name, value) VALUES ('" + GENERATION + "', 1)"
                            + " ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
                    bump.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** The rows of a query with {@code params} bound in order, each mapped; on the store's connection. */
    private <T> List<T> rows(String what, String sql, RowCursor.RowMapper<T> mapper, Object... params) {
        try {
            PreparedStatement s = prepared(sql);
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(mapper.map(r));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private void clearPending(String key) throws SQLException {
        PreparedStatement s = prepared("DELETE FROM pending WHERE key = ?");
        s.setString(1, key);
        s.executeUpdate();
    }

    /** The statement for {@code sql} on the store's connection, prepared on first use and kept until close. */
    private PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement s = prepared.get(sql);
        if (s == null) {
            s = connection.prepareStatement(sql);
            prepared.put(sql, s);
        }
        return s;
    }

    private long queryLong(String sql) {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.getLong(1);
        } catch (SQLException e) {
            throw failure("count", e);
        }
    }

    static FileState fileState(ResultSet r) throws SQLException {
        return new FileState(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getString(6));
    }

    private static PublishedFile publishedFile(ResultSet r) throws SQLException {
        return new PublishedFile(r.getString(1), r.getLong(2), r.getString(3), URI.create(r.getString(4)));
    }

    StorageException failure(String what, SQLException e) {
        return StorageException.builder(ErrorKind.IO, "state " + database + ": cannot " + what + ": " + oneLine(e))
                .cause(e).build();
    }

    private static String oneLine(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Closing after a failure: the first error is the one to report.
            }
        }
    }
}
