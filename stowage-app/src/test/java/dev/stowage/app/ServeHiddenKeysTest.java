package dev.stowage.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stowage.app.config.AppConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What `stowage serve` never serves of the state, wherever publish.state puts it. */
class ServeHiddenKeysTest {
    private static final Path ROOT = Path.of("/srv/site");

    @Test
    void defaultState_itsDotFolder() {
        assertThat(ServeCommand.hidden(ROOT, AppConfig.defaults())).containsExactly(".stowage");
    }

    @Test
    void stateInAFolderOfTheRoot_thatFolderToo() throws Exception {
        assertThat(ServeCommand.hidden(ROOT, withState("db/sqlite/state.db"))).containsExactlyInAnyOrder(".stowage", "db/sqlite");
        assertThat(ServeCommand.hidden(ROOT, withState("/srv/site/db/state.db"))).containsExactlyInAnyOrder(".stowage", "db");
    }

    @Test
    void stateAtTheTopOfTheRoot_theDatabaseAndItsJournals() throws Exception {
        assertThat(ServeCommand.hidden(ROOT, withState("state.db")))
                .containsExactlyInAnyOrder(".stowage", "state.db", "state.db-wal", "state.db-shm", "state.db-journal");
    }

    @Test
    void stateOutsideTheRoot_nothingMore() throws Exception {
        assertThat(ServeCommand.hidden(ROOT, withState("/var/lib/stowage/state.db"))).containsExactly(".stowage");
        assertThat(ServeCommand.hidden(ROOT, withState("/srv/site-state/state.db"))).as("a sibling whose name begins alike")
                .containsExactly(".stowage");
    }

    private static AppConfig withState(String state) throws Exception {
        return AppConfig.load(Optional.empty(), Map.of(), Map.of("publish.state", state));
    }
}
