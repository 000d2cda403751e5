import AsyncHTTPClient
import RunFiles
import StorageCore

/// Imports a Suno playlist into a job's music, as the earlier service's
/// `POST /api/jobs/{id}/playlist/suno` did: every page read, each song saved
/// as `<title>_<id>.mp3` and recorded like an upload (only while the job is
/// preparing), one song's failure listed without stopping the others. Songs
/// an earlier attempt already saved (`resume`) are not fetched again.
public struct PlaylistImporter: Sendable {
    public struct Result: Hashable, Sendable {
        public var progress: ImportProgress
        /// Why nothing could be imported (the earlier service's single error), nil otherwise.
        public var failure: String?
    }

    public static let invalidURL =
        "Invalid Suno playlist URL format. Please provide a valid Suno playlist URL."
    public static let noSongs = "No songs found in playlist or all clips are invalid"

    let settings: SunoSettings
    let files: any FileStore
    let data: DataDirectory
    let runFiles: any RunFileStore
    let maximumFileBytes: Int64
    let http: HTTPClient

    /// `runFiles`: where the songs go; the data directory when nil.
    public init(
        settings: SunoSettings, files: any FileStore, data: DataDirectory, maximumFileBytes: Int64,
        runFiles: (any RunFileStore)? = nil
    ) {
        self.init(
            settings: settings, files: files, data: data, maximumFileBytes: maximumFileBytes, http: SunoClient.shared,
            runFiles: runFiles)
    }

    init(
        settings: SunoSettings, files: any FileStore, data: DataDirectory, maximumFileBytes: Int64, http: HTTPClient,
        runFiles: (any RunFileStore)? = nil
    ) {
        self.settings = settings
        self.files = files
        self.data = data
        self.runFiles = runFiles ?? LocalRunFileStore(data)
        self.maximumFileBytes = maximumFileBytes
        self.http = http
    }

    /// `progress` hears how far it got after the listing and after each song;
    /// an error it throws (a lost claim) stops the import.
    public func run(
        url: String, into job: Job, resume: ImportProgress = ImportProgress(),
        progress: @Sendable (ImportProgress) async throws -> Void = { _ in }
    ) async throws -> Result {
        guard let id = SunoPlaylistURL.playlistID(in: url) else {
            return Result(progress: ImportProgress(errors: [Self.invalidURL]), failure: Self.invalidURL)
        }
        let listing: SunoPlaylist.Listing
        do {
            listing = try await SunoPlaylist(settings: settings, http: http).read(id: id)
        } catch let failure as SunoPlaylist.Failure {
            return Result(progress: ImportProgress(errors: [failure.description]), failure: failure.description)
        }
        guard !listing.clips.isEmpty else {
            return Result(progress: ImportProgress(errors: listing.notes + [Self.noSongs]), failure: Self.noSongs)
        }
        let run = try data.runDirectory(of: job)
        try run.create()
        let folder = run.folder(for: .music)
        // Saved by an earlier attempt: named in its last progress, or recorded since (progress is written once a second).
        let already = Set(resume.downloaded).union(
            try await files.files(ofJob: job.jobID, type: .music).map(\.filename))
        var errors = ErrorList(limit: settings.maximumErrorMessages)
        for note in listing.notes { errors.add(note) }
        var state = ImportProgress(songsTotal: listing.clips.count, downloaded: [], errors: errors.messages)
        try await progress(state)
        var reported = ContinuousClock.now
        for (index, clip) in listing.clips.enumerated() {
            try Task.checkCancellation()
            let name = SunoSongName.filename(title: clip.title, id: clip.id, position: index + 1)
            if already.contains(name) {
                state.downloaded.append(name)
                continue
            }
            do {
                let file = try UploadFile(folder: folder, limit: maximumFileBytes)
                defer { file.abort() }
                try await SunoClient.download(clip.audioURL, into: file, settings: settings, http: http)
                try await runFiles.record(file, as: name, type: .music, of: job, in: files)
                state.downloaded.append(name)
            } catch let error as SunoClient.SongError {
                let title = clip.title.isEmpty ? "Untitled Song \(index + 1)" : clip.title
                errors.add("\(title): \(error.description)")
            }
            // Written at most once a progress interval: a playlist of failures costs its length, not its square.
            if ContinuousClock.now - reported >= settings.progressInterval {
                state.errors = errors.messages
                try await progress(state)
                reported = ContinuousClock.now
            }
        }
        state.errors = errors.messages
        return Result(progress: state, failure: nil)
    }
}

/// The first `limit` messages, then one line that counts the others.
struct ErrorList {
    let limit: Int
    private var kept: [String] = []
    private var more = 0

    init(limit: Int) { self.limit = limit }

    mutating func add(_ message: String) {
        if kept.count < limit { kept.append(message) } else { more += 1 }
    }

    var messages: [String] {
        more == 0 ? kept : kept + ["\(more) more song\(more == 1 ? " was" : "s were") not downloaded"]
    }
}
