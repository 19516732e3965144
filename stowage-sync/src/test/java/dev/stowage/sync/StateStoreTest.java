package dev.stowage.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stowage.ResumePoint;
import dev.stowage.StorageException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);

    @TempDir
    Path dir;

    @Test
    void open_createsTheSchema_inWalMode_atTheCurrentVersion() throws Exception {
        Path db = dir.resolve("nested/state.db");
        try (StateStore state = StateStore.open(db)) {
            assertThat(state.fileCount()).isZero();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
                assertThat(r.getInt(1)).isEqualTo(Schema.currentVersion());
            }
            try (ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
                assertThat(r.getString(1)).isEqualTo("wal");
            }
        }
    }

    @Test
    void open_migratesAnOlderState_keepingWhatItHolds() throws Exception {
        Path db = dir.resolve("state.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String sql : Schema.MIGRATIONS.get(0)) {
                s.execute(sql);
            }
            s.execute("PRAGMA user_version=1");
            s.execute("INSERT INTO published VALUES ('a.txt', 1, '" + SHA_A + "', 'https://x/a.txt', 0)");
        }

        try (StateStore state = StateStore.open(db)) {
            assertThat(state.published("a.txt")).get().extracting(PublishedFile::sha256).isEqualTo(SHA_A);
            state.saveUpload(new ResumePoint("big.bin", "u1", 10, SHA_A, 5, Instant.EPOCH));
            assertThat(state.upload("big.bin")).isPresent();
        }
    }

    @Test
    void open_refusesAStateFromANewerVersion() throws Exception {
        Path db = dir.resolve("state.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version=99");
        }

        assertThatThrownBy(() -> StateStore.open(db))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("INVALID_CONFIG")
                .hasMessageContaining("schema version 99, newer than this Stowage knows");
        assertThatThrownBy(() -> StateStore.open(db)).as("the refusal released the lock")
                .hasMessageNotContaining("CONFLICT").hasMessageContaining("schema version 99");
    }

    @Test
    void open_refusesAFileThatIsNoDatabase_namingIt() throws Exception {
        Path db = dir.resolve("state.db");
        Files.writeString(db, "this is not a database, but long enough to have a header of sorts.".repeat(10));

        assertThatThrownBy(() -> StateStore.open(db))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("INVALID_CONFIG")
                .hasMessageContaining(db.toString());
    }

    @Test
    void aSecondStoreOnTheSameDatabase_refusesUntilTheFirstCloses() {
        Path db = dir.resolve("state.db");
        StateStore first = StateStore.open(db);

        assertThatThrownBy(() -> StateStore.open(db))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("CONFLICT")
                .hasMessageContaining("in use by another Stowage process (pid " + ProcessHandle.current().pid() + ")");

        first.close();
        StateStore.open(db).close();
    }

    @Test
    void failures_countAttempts_andAPublishClearsThem() {
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            Change change = new Change("a.txt", 1, SHA_A, true);
            state.recordFailure("a.txt", dev.stowage.Operation.UPLOAD, "UNAVAILABLE: down", 1000);
            state.recordFailure("a.txt", dev.stowage.Operation.UPLOAD, "UNAVAILABLE: still down", 2000);

            assertThat(state.pending()).singleElement().satisfies(p -> {
                assertThat(p.attempts()).isEqualTo(2);
                assertThat(p.lastError()).isEqualTo("UNAVAILABLE: still down");
                assertThat(p.lastAttempt()).isEqualTo(Instant.ofEpochMilli(2000));
            });

            state.recordPublished(change, URI.create("https://x/a.txt"), 3000);
            assertThat(state.pending()).isEmpty();
            assertThat(state.published("a.txt")).isPresent();
        }
    }

    @Test
    void severalUploads_recordedInOneTransaction_eachClearsItsPendingEntry() {
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            state.recordFailure("a.txt", dev.stowage.Operation.UPLOAD, "UNAVAILABLE: down", 1000);
            state.recordFailure("c.txt", dev.stowage.Operation.UPLOAD, "UNAVAILABLE: down", 1000);
            long before = state.generation();

            state.recordPublished(List.of(new PublishedFile("a.txt", 1, SHA_A, URI.create("https://x/a.txt")),
                    new PublishedFile("b.txt", 2, SHA_B, URI.create("https://x/b.txt"))), 3000);

            assertThat(state.published("a.txt")).isPresent();
            assertThat(state.published("b.txt")).get().extracting(PublishedFile::size).isEqualTo(2L);
            assertThat(state.pending()).singleElement().extracting(p -> p.key()).isEqualTo("c.txt");
            assertThat(state.generation()).as("one transaction").isEqualTo(before + 1);
            state.recordPublished(List.of(), 4000);
            assertThat(state.generation()).as("nothing recorded").isEqualTo(before + 1);
        }
    }

    @Test
    void theJournal_removesOnlyTheUploadItNames_andForgetsUploadsNoLongerNeeded() {
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            StateJournal journal = new StateJournal(state);
            journal.save(new ResumePoint("big.bin", "u1", 10, SHA_A, 5, Instant.EPOCH));
            journal.save(new ResumePoint("big.bin", "u2", 10, SHA_A, 5, Instant.EPOCH));

            journal.remove("big.bin", "u1");
            assertThat(journal.find("big.bin")).get().extracting(ResumePoint::uploadId).isEqualTo("u2");
            assertThat(journal.holds("big.bin", "u2")).isTrue();
            assertThat(journal.holds("big.bin", "u1")).isFalse();

            state.putFiles(List.of(new HashedFile(new FileState("big.bin", 10, 1, 1, 1, SHA_B), null, 0)));
            assertThat(state.dropUnneededUploads()).as("the file has other content now").isEqualTo(1);
            assertThat(journal.find("big.bin")).isEmpty();
        }
    }

    @Test
    void generation_growsWithEveryChangeOfRows_notWithSettingsOrWritesThatChangeNothing() {
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            long start = state.generation();
            state.putMeta("anything", "1");
            state.removeFiles(List.of("never-there.txt"));
            assertThat(state.generation()).isEqualTo(start);

            state.putFiles(List.of(new HashedFile(new FileState("a.txt", 1, 1, 1, 1, SHA_A), null, 0)));
            long scanned = state.generation();
            assertThat(scanned).isGreaterThan(start);

            state.recordPublished(new Change("a.txt", 1, SHA_A, true), URI.create("https://x/a.txt"), 1000);
            assertThat(state.generation()).isGreaterThan(scanned);
        }
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            assertThat(state.generation()).as("kept in the database").isGreaterThan(0);
        }
    }

    @Test
    void diff_foundEmpty_isNotTakenAsEmptyOnceTheStateChanged() {
        try (StateStore state = StateStore.open(dir.resolve("state.db"))) {
            state.putFiles(List.of(new HashedFile(new FileState("a.txt", 1, 1, 1, 1, SHA_A), null, 0)));
            state.recordPublished(new Change("a.txt", 1, SHA_A, true), URI.create("https://x/a.txt"), 1000);
            assertThat(state.diff().isEmpty()).isTrue();
            assertThat(state.diff().isEmpty()).as("again, from what was remembered").isTrue();

            state.putFiles(List.of(new HashedFile(new FileState("a.txt", 2, 2, 1, 2, SHA_B), null, 0),
                    new HashedFile(new FileState("b.txt", 1, 1, 2, 1, SHA_A), null, 0)));
            FileDiff diff = state.diff();
            assertThat(diff.added()).isEqualTo(1);
            assertThat(diff.modified()).isEqualTo(1);

            state.removeFiles(List.of("a.txt", "b.txt"));
            assertThat(state.diff().removed()).isEqualTo(1);
        }
    }
}
