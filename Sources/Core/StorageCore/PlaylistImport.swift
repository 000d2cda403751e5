/// Songs of a playlist downloaded into a job's music, as background work: a
/// `suno_import` task and its details in `playlist_import_tasks`.
public struct PlaylistImport: Hashable, Sendable {
    public typealias State = TaskState

    public var id: Int64
    public var jobID: Int64
    public var state: State
    public var url: String
    /// Songs the playlist lists (after duplicates are dropped); 0 until it was read.
    public var songsTotal: Int
    /// Files added to the job's music so far, in playlist order.
    public var downloaded: [String]
    /// One line per song that could not be downloaded (and per page problem).
    public var errors: [String]
    /// Why the import as a whole failed.
    public var error: String?
    public var attempt: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(row: some StoredRow) throws {
        id = try row.int64(0)
        jobID = try row.int64(1)
        state = try row.required(2, "import state", State.init(rawValue:))
        url = row.text(3) ?? ""
        songsTotal = try row.int(4)
        downloaded = Self.strings(row.text(5))
        errors = Self.strings(row.text(6))
        error = row.text(7)
        attempt = try row.int(8)
        createdAt = try row.timestamp(9, "created_at")
        updatedAt = try row.timestamp(10, "updated_at")
    }

    static func strings(_ text: String?) -> [String] {
        text.flatMap { JSONValue(jsonText: $0)?.arrayValue }?.compactMap(\.stringValue) ?? []
    }

    public static func jsonText(_ strings: [String]) -> String { JSONValue.array(strings.map { .string($0) }).jsonText }
}

/// A worker's hold on a playlist import.
public typealias ImportClaim = TaskClaim
public typealias ClaimedImport = ClaimedTask<PlaylistImport>

/// How far an import got: what a heartbeat stores and what it ends with.
public struct ImportProgress: Hashable, Sendable {
    public var songsTotal: Int
    public var downloaded: [String]
    public var errors: [String]

    public init(songsTotal: Int = 0, downloaded: [String] = [], errors: [String] = []) {
        self.songsTotal = songsTotal
        self.downloaded = downloaded
        self.errors = errors
    }
}

/// Completed with every song downloaded or its error listed; failed with how far it got.
public typealias ImportOutcome = TaskOutcome<ImportProgress>

extension PlaylistImport: TaskDetails {
    public static var kind: TaskKind { .sunoImport }

    /// The playlist's URL.
    public static func values(new url: String) throws -> [SQLValue] {
        guard !url.utf8.contains(0) else {
            throw StorageError.invalidInput("the playlist URL holds the NUL character, which the database cannot store")
        }
        return [.text(url)]
    }

    public static func values(progress: ImportProgress) -> [SQLValue] {
        [.integer(progress.songsTotal), .text(jsonText(progress.downloaded)), .text(jsonText(progress.errors))]
    }

    public static func values(result: ImportProgress?) -> [SQLValue] {
        result.map(values(progress:)) ?? [.null, .null, .null]
    }

    public static func workerLostError(attempt: Int) -> String {
        "worker lost during the playlist import (attempt \(attempt))"
    }
}
