import CLibPQ
import Foundation
import StorageCore

/// What the server (or libpq) said, with its SQLSTATE and the statement.
struct PostgresError: Error, CustomStringConvertible {
    var sqlState: String?
    var message: String
    var sql: String?
    /// The connection was lost: the statement may not have reached a live server.
    var connectionLost: Bool

    var description: String {
        var text = "PostgreSQL error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(Self.oneLine(message))"
        if let sql { text += " in: \(Self.oneLine(String(sql.prefix(300))))" }
        return text
    }

    /// The common error kind for this SQLSTATE.
    var storageError: StorageError {
        let kind: StorageError.Kind
        let summary: String
        switch sqlState ?? "" {
        case "23505": (kind, summary) = (.conflict, "a row with the same key already exists")
        case "23503": (kind, summary) = (.notFound, "a referenced row does not exist")
        case "23514", "23502": (kind, summary) = (.invalidInput, "a value breaks a rule of the schema")
        case "40001", "40P01": (kind, summary) = (.conflict, "the transaction collided with another; try again")
        case "28P01", "28000": (kind, summary) = (.unavailable, "PostgreSQL refused the login")
        case "3D000": (kind, summary) = (.unavailable, "the database does not exist")
        case "42P01", "42703": (kind, summary) = (.incompatibleSchema, "the database does not have the expected tables")
        case "53100": (kind, summary) = (.unavailable, "the disk is full")
        case "XX001", "XX002": (kind, summary) = (.corruptDatabase, "PostgreSQL reports corrupt data")
        case let state where state.hasPrefix("22"): (kind, summary) = (.invalidInput, "a value is not acceptable")
        case let state where state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53"):
            (kind, summary) = (.unavailable, "the PostgreSQL server is not reachable")
        default:
            (kind, summary) =
                connectionLost
                ? (.unavailable, "the connection to PostgreSQL was lost")
                : (.unavailable, "PostgreSQL could not complete the request")
        }
        return StorageError(kind, "\(summary): \(Self.oneLine(message))", detail: context)
    }

    /// libpq's messages run over lines ("…failed: Connection refused\n\tIs the
    /// server running…?"): one line, for a log line and a terminal alike.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// What the message does not already say: the SQLSTATE and the statement.
    var context: String? {
        var parts: [String] = []
        if let sqlState { parts.append("SQLSTATE \(sqlState)") }
        if let sql { parts.append("in: \(Self.oneLine(String(sql.prefix(300))))") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}

extension StorageError {
    init(postgres error: any Error) {
        switch error {
        case let error as StorageError: self = error
        case let error as PostgresError: self = error.storageError
        default: self = StorageError(.unavailable, "\(error)")
        }
    }
}
