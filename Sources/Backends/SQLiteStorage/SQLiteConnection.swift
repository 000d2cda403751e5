import CSQLite
import Foundation
import SQLStore
import StorageCore

typealias SQLiteValue = SQLValue

/// SQLite's marker that bound text must be copied.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement, reused: reset after each use.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    private unowned let connection: SQLiteConnection

    /// Which value each parameter takes: `$N` takes the Nth, whatever its
    /// place in the text; `?` takes the next by position.
    private let slots: [Int]

    /// Prepares the first statement of `text` (a C string); nil when only
    /// whitespace or comments are left. `tail` is where the next one starts.
    init?(connection: SQLiteConnection, text: UnsafePointer<CChar>, sql: String, tail: inout UnsafePointer<CChar>?)
        throws
    {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, &tail)
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: connection.handle, sql: sql) }
        guard let handle else { return nil }
        self.handle = handle
        self.sql = sql
        self.connection = connection
        slots = (0..<Int(sqlite3_bind_parameter_count(handle))).map { offset in
            guard let name = sqlite3_bind_parameter_name(handle, Int32(offset + 1)).map({ String(cString: $0) }),
                name.hasPrefix("$"), let number = Int(name.dropFirst()), number >= 1
            else { return offset }
            return number - 1
        }
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ values: [SQLiteValue]) throws {
        for (offset, slot) in slots.enumerated() {
            let index = Int32(offset + 1)
            let value = slot < values.count ? values[slot] : .null
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), sqliteTransient)
            }
            guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: connection.handle, sql: sql) }
        }
    }

    /// True when a row is ready to read, false when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

extension SQLiteStatement: StoredRow {}

/// One SQLite connection with a cache of prepared statements. Not thread-safe:
/// its owner confines it to one serial queue.
final class SQLiteConnection: SQLConnection {
    let handle: OpaquePointer
    let path: String
    /// Each SQL text's prepared statements, in order.
    private var statements: [String: [SQLiteStatement]] = [:]

    /// Process-wide settings, made once before SQLite initialises itself.
    private static let configured: Void = { _ = csqlite_no_bulk_page_cache() }()

    init(path: String, flags: Int32) throws {
        _ = Self.configured
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(code: code, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        self.path = path
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs SQL text that may hold several statements and takes no parameters.
    func execute(_ script: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, script, nil, nil, &message)
        if let message { sqlite3_free(message) }
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: handle, sql: script) }
    }

    func prepared(_ sql: String) throws -> [SQLiteStatement] {
        if let cached = statements[sql] { return cached }
        var list: [SQLiteStatement] = []
        try sql.withCString { start in
            var next: UnsafePointer<CChar>? = start
            while let text = next, text.pointee != 0 {
                var tail: UnsafePointer<CChar>?
                guard let statement = try SQLiteStatement(connection: self, text: text, sql: sql, tail: &tail) else {
                    break
                }
                list.append(statement)
                next = tail
            }
        }
        statements[sql] = list
        return list
    }

    /// Runs the statements of `sql` in order (several in one transaction) and
    /// reads every row they return with `row`.
    func query<T>(_ sql: String, _ values: [SQLValue] = [], row: (any StoredRow) throws -> T) throws -> [T] {
        let list = try prepared(sql)
        guard list.count > 1, sqlite3_get_autocommit(handle) != 0 else { return try step(list, values, row) }
        return try writeTransaction { try step(list, values, row) }
    }

    private func step<T>(_ list: [SQLiteStatement], _ values: [SQLValue], _ row: (any StoredRow) throws -> T) throws
        -> [T]
    {
        var rows: [T] = []
        for statement in list {
            defer { statement.reset() }
            try statement.bind(values)
            while try statement.step() { rows.append(try row(statement)) }
        }
        return rows
    }

    /// Runs the statements of `sql`; how many rows the last one changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        _ = try query(sql, values) { _ in () }
        return Int(sqlite3_changes(handle))
    }

    func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        try query(sql, values) { $0.isNull(0) ? nil : try $0.int64(0) }.first ?? nil
    }

    /// `BEGIN IMMEDIATE` takes the write lock up front, so a transaction never
    /// fails half-way with SQLITE_BUSY when another process writes too; waiting
    /// for that lock is what the busy timeout is for.
    /// Inside a transaction already, `body` simply joins it.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        guard sqlite3_get_autocommit(handle) != 0 else { return try body() }
        try run("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { _ = try? run("ROLLBACK") }
            throw error
        }
    }

    /// A read that sees one snapshot across several statements.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN DEFERRED")
        defer { if sqlite3_get_autocommit(handle) == 0 { _ = try? run("COMMIT") } }
        return try body()
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    func transaction<T>(_ body: () throws -> T) throws -> T { try writeTransaction(body) }

    /// One prepared INSERT, run for each row, in one transaction.
    func bulkLoad(table: String, columns: [String], rows: [[String?]], sent: (Int) -> Void) throws {
        let places = (1...max(1, columns.count)).map { "$\($0)" }.joined(separator: ", ")
        let sql = "INSERT INTO \"\(table)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(places))"
        try writeTransaction {
            for (count, row) in rows.enumerated() {
                try run(sql, row.map { SQLValue.text($0) })
                if (count + 1) % 10_000 == 0 { sent(count + 1) }
            }
        }
        sent(rows.count)
    }

    /// Runs `sql`, trying again while it fails with SQLITE_BUSY, up to `milliseconds`.
    /// For statements that SQLite refuses at once instead of waiting on the busy
    /// handler, because waiting could deadlock: switching the journal mode while
    /// another connection holds a write lock is one.
    func executeRetryingWhileBusy(_ sql: String, milliseconds: Int32) throws {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(milliseconds)))
        while true {
            do {
                return try execute(sql)
            } catch let error as SQLiteError where error.code == SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(5_000)
            }
        }
    }
}
