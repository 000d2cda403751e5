import StorageCore

/// Playlist imports on the task queue: a `suno_import` task per import, what it
/// downloaded so far in `playlist_import_tasks`.
extension SQLStore: PlaylistImportQueue {
    static func progressValues(_ progress: ImportProgress?) -> [SQLValue] {
        guard let progress else { return [.null, .null, .null] }
        return [
            .integer(progress.songsTotal), .text(PlaylistImport.jsonText(progress.downloaded)),
            .text(PlaylistImport.jsonText(progress.errors)),
        ]
    }

    public func createPlaylistImport(jobID: Int64, url: String, maximumAttempts: Int?) async throws -> PlaylistImport {
        let attempts = maximumAttempts ?? self.maximumAttempts
        try JobQueue.validate(maximumAttempts: attempts)
        guard !url.utf8.contains(0) else {
            throw StorageError.invalidInput("the playlist URL holds the NUL character, which the database cannot store")
        }
        let statement = sql[.createPlaylistImport]
        let values: [SQLValue] = [.integer(jobID), .text(url), .timestamp(now), .integer(attempts)]
        return try await requiringJob(jobID) {
            try await driver.write { try $0.query(statement, values) { try PlaylistImport(row: $0) }[0] }
        }
    }

    public func playlistImport(_ id: Int64) async throws -> PlaylistImport? {
        try await detailRows(.playlistImportByID, id) { try PlaylistImport(row: $0) }.first
    }

    public func playlistImports(ofJob jobID: Int64) async throws -> [PlaylistImport] {
        try await detailRows(.playlistImportsOfJob, jobID) { try PlaylistImport(row: $0) }
    }

    public func claimPlaylistImport(worker: String, lease: Duration) async throws -> ClaimedImport? {
        try await claimDetails(.sunoImport, worker: worker, lease: lease) { try PlaylistImport(row: $0) }
    }

    public func recordImportProgress(_ claim: ImportClaim, _ progress: ImportProgress, lease: Duration) async throws
        -> Bool
    {
        try JobQueue.validate(lease: lease)
        let now = now
        let statement = sql[.sunoImportProgress]
        let values =
            Self.guardValues(claim) + Self.progressValues(progress) + [
                .timestamp(now.adding(seconds: lease.inSeconds)), .timestamp(now),
            ]
        return try await driver.write { try !$0.query(statement, values, row: { _ in () }).isEmpty }
    }

    public func finishPlaylistImport(_ claim: ImportClaim, _ outcome: ImportOutcome) async throws -> PlaylistImport? {
        let (state, error, progress): (String, String?, ImportProgress?) =
            switch outcome {
            case .completed(let progress): ("completed", nil, progress)
            case .failed(let error, let progress): ("failed", error, progress)
            case .handedBack: ("queued", nil, nil)
            }
        let statement = sql[.sunoImportFinish]
        let values = finishValues(claim, state: state, error: error) + Self.progressValues(progress)
        return try await driver.write { try $0.query(statement, values) { try PlaylistImport(row: $0) }.first }
    }

    public func rescueExpiredImports() async throws -> Int {
        let statement = sql[.sunoImportRescued]
        return try await rescueTasks(.sunoImport) { connection, task, _ in
            if task.state == "failed" {
                let message = JobQueue.importWorkerLostError(attempt: task.attempt)
                try connection.run(statement, [.integer(task.id), .text(message)])
            }
            return true
        }.count
    }
}
