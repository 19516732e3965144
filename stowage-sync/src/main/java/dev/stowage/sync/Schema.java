package dev.stowage.sync;

import java.util.List;

/**
 * The state database's schema, as the list of migrations that build it: migration {@code i}
 * takes a database from version {@code i} to {@code i + 1}. The version lives in SQLite's
 * {@code user_version}; a database newer than this code is refused rather than guessed at.
 * Keys are compared with SQLite's BINARY collation, which on UTF-8 text is the byte order of
 * {@link dev.stowage.Keys#ORDER}: the order the scanner walks in.
 */
final class Schema {

    static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    // The last scan: one row per regular file under the root; path is where to read it,
                    // relative to the root, when that is not its key (a name not in NFC, a followed link).
                    "CREATE TABLE files (key TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
                            + " inode INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                            + " hashed_at_ns INTEGER NOT NULL, path TEXT) WITHOUT ROWID",
                    // What the target confirmed it holds: written only after the backend said so.
                    "CREATE TABLE published (key TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                            + " url TEXT NOT NULL, published_at_ms INTEGER NOT NULL) WITHOUT ROWID",
                    // Operations that failed and wait for the next run.
                    "CREATE TABLE pending (key TEXT PRIMARY KEY, operation TEXT NOT NULL, attempts INTEGER NOT NULL,"
                            + " last_error TEXT NOT NULL, last_attempt_ms INTEGER NOT NULL) WITHOUT ROWID",
                    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"),
            List.of(
                    // Uploads in parts begun and not finished: what lets one resume after a crash.
                    "CREATE TABLE uploads (key TEXT PRIMARY KEY, upload_id TEXT NOT NULL, size INTEGER NOT NULL,"
                            + " sha256 TEXT NOT NULL, part_size INTEGER NOT NULL, started_ms INTEGER NOT NULL) WITHOUT ROWID",
                    // Files the target could not take, put where the local fallback serves them.
                    "CREATE TABLE fallback (key TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
                            + " url TEXT NOT NULL) WITHOUT ROWID"));

    static int currentVersion() {
        return MIGRATIONS.size();
    }

    private Schema() {
    }
}
