package dev.stowage.sync;

import dev.stowage.ErrorKind;
import dev.stowage.StorageException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Rows of one query streamed from a read transaction on a connection of their own, so the store
 * can write while they are read; the cursor sees the database as it was when reading began. Used
 * for the scan's merge with the last scan and for writing the manifest. Not thread-safe.
 */
final class RowCursor<T> implements Iterator<T>, AutoCloseable {

    /** Maps the current row. */
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final Connection connection;
    private final Statement statement;
    private final ResultSet rows;
    private final RowMapper<T> mapper;
    private T next;
    private boolean done;

    RowCursor(Connection connection, String query, RowMapper<T> mapper) throws SQLException {
        this.connection = connection;
        this.mapper = mapper;
        try {
            connection.setAutoCommit(false);
            statement = connection.createStatement();
            statement.setFetchSize(StateStore.PAGE);
            rows = statement.executeQuery(query);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /** The next row without consuming it, or null at the end. */
    T peek() {
        if (next == null && !done) {
            try {
                if (rows.next()) {
                    next = mapper.map(rows);
                } else {
                    done = true;
                }
            } catch (SQLException e) {
                throw StorageException.builder(ErrorKind.IO, "cannot read the state: " + e.getMessage()).cause(e).build();
            }
        }
        return next;
    }

    @Override
    public boolean hasNext() {
        return peek() != null;
    }

    /** Consumes and returns the next row. */
    @Override
    public T next() {
        T row = peek();
        if (row == null) {
            throw new NoSuchElementException();
        }
        next = null;
        return row;
    }

    @Override
    public void close() {
        try {
            rows.close();
            statement.close();
            connection.rollback();
        } catch (SQLException ignored) {
            // A read-only transaction: nothing to lose by closing it as it is.
        } finally {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // As above.
            }
        }
    }
}
