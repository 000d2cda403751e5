import CLibPQ
import Foundation
import SQLStore
import StorageCore

/// One libpq connection with its prepared statements. Not thread-safe: a
/// `PostgresSession` confines it to one serial queue.
final class PostgresConnection: SQLConnection {
    let handle: OpaquePointer
    /// Prepared statement name per SQL text; prepared once per connection.
    private var prepared: [String: String] = [:]
    /// Statements sent for execution since `resetProgress()`. Once one is sent,
    /// a lost answer does not say whether it took effect (it may have
    /// committed), so that work is never run again.
    private(set) var sent = 0

    init(conninfo: String) throws {
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(sqlState: nil, message: "out of memory", sql: nil, connectionLost: true)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Redacted.message(
                String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines),
                connectionString: conninfo)
            PQfinish(handle)
            throw PostgresError(
                sqlState: message.contains("password authentication failed") ? "28P01" : "08001",
                message: message, sql: nil, connectionLost: true)
        }
        self.handle = handle
        // Server notices ("already exists, skipping") are not for the user's terminal.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Timestamps come back as ISO text in UTC, which `Timestamp` reads.
        try execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'")
    }

    deinit { PQfinish(handle) }

    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    func resetProgress() { sent = 0 }

    /// An idle connection has nothing to read. When it has (the server closed
    /// it, or said FATAL before closing, as after `pg_terminate_backend` or a
    /// restart), it is stale: replaced before any work is sent on it.
    var isStale: Bool {
        let socket = PQsocket(handle)
        guard socket >= 0 else { return true }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    /// Runs SQL text without parameters (several statements allowed).
    func execute(_ sql: String) throws {
        sent += 1
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs a prepared statement with text parameters; each row is read by `row`.
    func query<T>(_ sql: String, _ values: [SQLValue] = [], row: (any StoredRow) throws -> T) throws -> [T] {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        let rows = PostgresRow(result: result)
        var values: [T] = []
        for index in 0..<PQntuples(result) {
            rows.index = index
            values.append(try row(rows))
        }
        return values
    }

    /// Runs a prepared statement; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        let result = try executePrepared(sql, values)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Prepares `sql` on first use and runs it; the caller clears the result.
    private func executePrepared(_ sql: String, _ values: [SQLValue]) throws -> OpaquePointer {
        let name = try statementName(for: sql, parameterCount: values.count)
        sent += 1
        let result = withCStrings(values.map(\.postgresText)) { pointers in
            PQexecPrepared(handle, name, Int32(values.count), pointers, nil, nil, 0)
        }
        do {
            try check(result, sql: sql)
        } catch {
            PQclear(result)
            throw error
        }
        return result!
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if !isBroken { try? execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: COPY

    func startCopy(_ sql: String) throws {
        sent += 1
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            try check(result, sql: sql)
            return
        }
    }

    func putCopyData(_ bytes: [UInt8], sql: String) throws {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw connectionError(sql: sql) }
    }

    func endCopy(sql: String) throws {
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError(sql: sql) }
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            try check(result, sql: sql)
        }
    }

    private func connectionError(sql: String) -> PostgresError {
        PostgresError(
            sqlState: nil,
            message: String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines),
            sql: sql, connectionLost: isBroken)
    }

    private func statementName(for sql: String, parameterCount: Int) throws -> String {
        if let name = prepared[sql] { return name }
        let name = "s\(prepared.count)"
        let result = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        defer { PQclear(result) }
        try check(result, sql: sql)
        prepared[sql] = name
        return name
    }

    private func check(_ result: OpaquePointer?, sql: String) throws {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
            let primary = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map {
                String(cString: $0)
            }
            let message =
                primary ?? String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError(sqlState: state, message: message, sql: sql, connectionLost: isBroken)
        }
    }
}

/// One row of a result, read by column index; every value arrives as text.
final class PostgresRow: StoredRow {
    private let result: OpaquePointer
    var index: Int32 = 0

    init(result: OpaquePointer) { self.result = result }

    func isNull(_ column: Int32) -> Bool { PQgetisnull(result, index, column) == 1 }

    func text(_ column: Int32) -> String? {
        isNull(column) ? nil : String(cString: PQgetvalue(result, index, column))
    }

    func int64(_ column: Int32) throws -> Int64 {
        guard let raw = text(column) else { return 0 }
        guard let value = Int64(raw) else {
            throw StorageError(.corruptDatabase, "a stored integer '\(raw)' cannot be read")
        }
        return value
    }
}

extension SQLValue {
    /// Every parameter travels as text; the statement's casts give its type.
    var postgresText: String? {
        switch self {
        case .null: nil
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .text(let text): text
        }
    }
}

/// Calls `body` with C strings for `values` (NULL for nil) that live until it returns.
private func withCStrings<T>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = values.map { $0.map { strdup($0) } ?? nil }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { UnsafePointer($0) })
}
