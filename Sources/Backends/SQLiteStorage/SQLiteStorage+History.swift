import CSQLite
import Foundation
import StorageCore

extension SQLiteStorage {
    /// Opens a source read-only without writing beside it. With no `-wal` file
    /// nobody is writing it, and it is opened `immutable`: no `-wal` or `-shm`
    /// is made, so a read-only mount works. With one, SQLite must read it (it
    /// holds committed rows) and needs its `-shm`.
    static func openSource(_ path: String) throws -> SQLiteConnection {
        guard FileManager.default.fileExists(atPath: path + "-wal") else {
            let uri = "file:" + path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + "?immutable=1"
            return try SQLiteConnection(path: uri, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
        }
        let source = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY)
        do {
            _ = try source.scalarInt("SELECT COUNT(*) FROM sqlite_master")
        } catch let error as SQLiteError {
            throw StorageError(
                .unavailable,
                "\(path) has a write-ahead log (\(path)-wal) that cannot be read from here (a read-only folder?); "
                    + "stop what writes it, or copy the file with its -wal and -shm files somewhere writable",
                detail: error.description)
        }
        return source
    }
}
