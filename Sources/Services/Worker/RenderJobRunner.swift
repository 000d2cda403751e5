import Foundation
import Render
import RunFiles
import StorageCore
import VideoSettings

/// The real job runner: reads the job's files and config, renders into
/// `output/video_YYYYMMDD_HHMMSS.mp4` of its run directory, with the run's
/// `.tmp/` as scratch (removed afterwards). With a piece queue, the pieces
/// are encoded by whichever workers claim them and joined here. With an object store, the run
/// directory is this host's copy: the inputs are fetched into it first and
/// the output is put back.
public struct RenderJobRunner: JobRunner {
    let storage: any FileStore
    let data: DataDirectory
    let files: any RunFileStore
    let fonts: FontCatalog
    var renderer = Renderer()
    /// Where the pieces of a render are queued for any worker to encode
    /// (`RenderPieceWork`); nil: this host encodes them. Either way this host
    /// encodes `piecesAtOnce` at a time, their threads sharing its cores.
    let pieceQueue: (any JobStore & TaskQueue)?

    public init(
        storage: any FileStore, dataDirectory: String, fonts: FontCatalog? = nil, files: (any RunFileStore)? = nil,
        piecesAtOnce: Int = 1, pieceQueue: (any JobStore & TaskQueue)? = nil
    ) {
        self.storage = storage
        self.pieceQueue = pieceQueue
        renderer.concurrency = piecesAtOnce
        data = DataDirectory(dataDirectory)
        self.files = files ?? LocalRunFileStore(data)
        self.fonts = fonts ?? FontCatalog.load(fontsDirectory: data.fonts)
    }

    public func run(_ job: Job, reporter: JobReporter) async throws -> String? {
        let run = try data.runDirectory(of: job)
        let output = run.output + "/video_" + Self.stamp(Date()) + ".mp4"
        let input = try await input(of: job, output: output, scratch: run.scratch, copies: run.path)
        var renderer = renderer
        let encoder = pieceQueue.map { QueuedPieceEncoder(storage: $0, files: files, job: job) }
        renderer.encoder = encoder
        let started = ContinuousClock.now
        try await renderer.render(
            input, progress: { percent, step in await reporter.report(percent, step.rawValue) },
            log: { reporter.log($0) })
        WorkerMetrics.rendered(
            videoSeconds: input.settings.duration, wallSeconds: (ContinuousClock.now - started).inSeconds)
        let stored = try await files.commit(output: output, jobID: job.jobID, run: job.runDirectory)
        await encoder?.removePieces()
        return stored
    }

    /// What rendering `job` reads: its settings and local paths of its
    /// files (with an object store, copies fetched into `copies`).
    func input(of job: Job, output: String, scratch: String, copies: String) async throws -> RenderInput {
        var settings: VideoSettings
        do {
            settings = try VideoSettings(config: job.config ?? JobConfig(), fonts: fonts)
        } catch {
            throw RenderError("the job's config cannot be rendered: \(error)")
        }
        // Jobs queued before seeds were stored render the same way every time too.
        if settings.seed == nil { settings.seed = job.jobID }
        let rows = try await storage.files(ofJob: job.jobID, type: nil)
        let clips = settings.ordered(rows.filter { $0.fileType == .videos }) { $0.filename }
        var paths: [FileType: [String]] = [:]
        for row in clips + rows.filter({ $0.fileType != .videos }) {
            paths[row.fileType, default: []].append(
                try await files.localCopy(of: row, jobID: job.jobID, run: job.runDirectory, scratch: copies))
        }
        return RenderInput(
            videos: paths[.videos] ?? [], music: paths[.music] ?? [], sounds: paths[.sounds] ?? [],
            quotes: paths[.quotes] ?? [], settings: settings, fonts: fonts, output: output, scratch: scratch)
    }

    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02d_%02d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0, parts.second ?? 0)
    }
}
