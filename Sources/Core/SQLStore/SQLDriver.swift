import StorageCore

/// One connection, confined to its driver's caller for the length of a body.
/// Parameters are written `$1`, `$2`, ... in every dialect.
public protocol SQLConnection {
    /// Runs the statement (a SQLite text may hold several, run in order in one
    /// transaction) and reads every row it returns with `row`.
    func query<T>(_ sql: String, _ values: [SQLValue], row: (any StoredRow) throws -> T) throws -> [T]
    /// Runs the statement; how many rows it changed.
    @discardableResult func run(_ sql: String, _ values: [SQLValue]) throws -> Int
    /// Runs `body` in a transaction: all of it or none.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Loads many rows into `table` the fastest way the database has (COPY on
    /// PostgreSQL, one prepared INSERT on SQLite); values are text the column
    /// accepts, nil for NULL. Names come from the program, never from input.
    /// `sent` hears how many rows have gone, now and then and at the end.
    func bulkLoad(table: String, columns: [String], rows: [[String?]], sent: (Int) -> Void) throws
}

/// What a database backend gives the one store: connections, its error
/// mapping (every error leaves a driver as `StorageError`), and its SQL.
public protocol SQLDriver: Sendable {
    /// The dialect's statements, by name (`sql/<backend>/statements.sql`).
    var statements: SQLStatements { get }
    /// Runs `body` on a connection; each statement commits on its own.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// Runs `body` that writes. Where the database admits one writer at a time
    /// (SQLite), the write lock is taken first and `body` is one transaction;
    /// elsewhere its statements commit on their own, so a body whose
    /// statements must stand or fall together uses `transaction`.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// Wakes this process's idle workers; other processes learn of queued work
    /// through `notify_queued`, when the dialect has it, or by polling.
    var queueWakeups: WakeSignal { get }
    /// Starts hearing of work queued by other processes, the first time an
    /// idle worker waits (a no-op where there is no way to hear it).
    func startListening()
    func close() async
}

extension SQLConnection {
    public func query<T>(_ sql: String, row: (any StoredRow) throws -> T) throws -> [T] {
        try query(sql, [], row: row)
    }

    public func count(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try query(sql, values) { try $0.int(0) }.first ?? 0
    }
}

extension StoredRow {
    /// A boolean column: PostgreSQL sends `t`/`f`, SQLite 1/0.
    public func bool(_ column: Int32) -> Bool {
        switch text(column) {
        case "t", "true", "1": true
        default: false
        }
    }
}
