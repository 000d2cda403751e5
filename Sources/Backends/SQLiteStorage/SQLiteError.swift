import CSQLite
import StorageCore

/// What SQLite said, with the statement it said it about.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var extendedCode: Int32
    var message: String
    var sql: String?

    init(code: Int32, connection: OpaquePointer?, sql: String?) {
        self.code = code & 0xFF
        self.extendedCode = connection.map { sqlite3_extended_errcode($0) } ?? code
        self.message =
            connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.sql = sql
    }

    var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " in: \(sql.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))" }
        return text
    }

    /// The common error kind for this result code.
    var storageError: StorageError {
        let kind: StorageError.Kind
        let summary: String
        switch code {
        case SQLITE_CONSTRAINT:
            switch extendedCode {
            case CSQLITE_CONSTRAINT_UNIQUE, CSQLITE_CONSTRAINT_PRIMARYKEY:
                (kind, summary) = (.conflict, "a row with the same key already exists")
            case CSQLITE_CONSTRAINT_FOREIGNKEY:
                (kind, summary) = (.notFound, "a referenced row does not exist")
            default:
                (kind, summary) = (.invalidInput, "a value breaks a rule of the schema")
            }
        case SQLITE_BUSY, SQLITE_LOCKED:
            (kind, summary) = (.unavailable, "the database stayed locked by another connection past the busy timeout")
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            (kind, summary) = (.corruptDatabase, "the database file is corrupt or is not a database")
        case SQLITE_FULL:
            (kind, summary) = (.unavailable, "the disk is full")
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH:
            (kind, summary) = (.unavailable, "the database file cannot be opened for writing")
        case SQLITE_IOERR:
            (kind, summary) = (.unavailable, "reading or writing the database file failed")
        case SQLITE_ERROR where message.hasPrefix("no such"), SQLITE_SCHEMA:
            (kind, summary) = (.incompatibleSchema, "the database does not have the expected tables")
        default:
            (kind, summary) = (.unavailable, "the database could not complete the request")
        }
        return StorageError(kind, "\(summary): \(message)", detail: description)
    }
}

extension StorageError {
    init(_ error: any Error) {
        switch error {
        case let error as StorageError: self = error
        case let error as SQLiteError: self = error.storageError
        default: self = StorageError(.unavailable, "\(error)")
        }
    }
}
