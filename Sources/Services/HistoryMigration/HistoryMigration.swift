import Foundation
import HistoryFormats
import PostgresStorage
import SQLiteStorage
import StorageCore
import Synchronization

/// `yt-builder migrate`: a SQLite history into PostgreSQL, streamed and
/// verified. The source's parts are read by several threads at once, each
/// encoding its rows into binary COPY tuples and the table's checksum as it reads and
/// sending them over a connection of its own into staging tables; quarantined
/// rows go to files on the way. Then, while keys and indexes are built in
/// staging, the server computes the same checksums over what it stored; only
/// when every table matches are the staging tables swapped into place in one short
/// transaction. Memory holds a mebibyte of COPY data per thread, never a table.
public struct HistoryMigration: Sendable {
    public enum Phase: String, Sendable, CaseIterable {
        case reading, loading
        /// The server's checksums, while keys and indexes are built.
        case verifying
        case swapping
        /// `--append`: the verified rows added to the live tables.
        case appending
    }

    public struct Options: Sendable {
        public var dryRun = false
        /// Add the history to a target that holds one (new ids; see `runAppend`).
        public var append = false
        /// Threads (and connections) loading at once.
        public var connections = 3
        /// Seals plain credentials on the way; nil copies them as they are.
        public var sealCredential: (@Sendable (String) throws -> String?)?
        /// Called as each phase begins (with its rows done and total).
        public var progress: @Sendable (HistoryProgress) -> Void = { _ in }
        /// How many rows the server checksums on one connection.
        public var rowsPerChecksumSlice = 150_000
        /// For tests: where to stop and wait to be killed.
        public var pauseAt: Phase?
        /// For tests: stop inside the first COPY, after its first chunk went to the server.
        public var pauseInsideCopy = false

        public init() {}
    }

    let source: HistorySource
    let target: HistoryTarget
    let options: Options
    let now: Timestamp

    public init(source: HistorySource, target: HistoryTarget, options: Options, now: Timestamp = .now()) {
        self.source = source
        self.target = target
        self.options = options
        self.now = now
    }

    public func run() async throws -> HistoryTransferReport {
        let started = ContinuousClock.now
        let total = source.parts.reduce(0) { $0 + $1.estimatedRows }
        phase(.reading, done: 0, total: total)
        let lock = options.dryRun ? nil : try target.lockForTransfer()
        defer { withExtendedLifetime(lock) {} }
        if options.append { return try await runAppend(started: started, total: total) }
        let holdsHistory = try await target.liveTablesHoldRows()
        if holdsHistory {
            // Said before reading anything: the same history has as many jobs.
            let jobs = try await target.liveJobCount()
            guard jobs == source.jobCount else { throw Self.holdsAnotherHistory(jobs: jobs) }
        }
        let load = !holdsHistory && !options.dryRun
        if load {
            try await target.createStaging()
        }
        do {
            let read = try await readSource(load: load, total: total)
            defer { read.close() }
            let expected = read.checksums
            var alreadyThere = false
            if holdsHistory {
                let live = try await target.liveChecksums()
                alreadyThere = live == expected
                guard alreadyThere else { throw Self.holdsAnotherHistory(jobs: live["jobs"]?.rows ?? 0) }
            } else if load {
                try await verifyStaging(expected, total: total)
                phase(.swapping, done: total, total: total)
                let pause = options.pauseAt == .swapping
                try await target.swap(highestJobID: source.highestJobID) {
                    if pause { Self.pause(.swapping) }
                }
            }
            return HistoryTransferReport(
                tables: read.report(), alreadyMigrated: alreadyThere, dryRun: options.dryRun,
                seconds: started.duration(to: .now).inSeconds, quarantinedValues: read.json.sentences)
        } catch {
            if load { try? await target.dropStaging() }
            throw error
        }
    }

    static func holdsAnotherHistory(jobs: Int) -> StorageError {
        StorageError(
            .conflict,
            "the target database already holds a history (\(jobs) jobs) that is not this one; "
                + "migrate into an empty database, or add this history to it with --append")
    }

    /// The staging tables' checksums, computed by the server while keys are
    /// built, must be the source's.
    func verifyStaging(_ expected: [String: TableChecksum], total: Int) async throws {
        phase(.verifying, done: total, total: total)
        let stored = try await target.checksumsBuildingKeys(
            rows: expected.mapValues(\.rows), rowsPerSlice: options.rowsPerChecksumSlice,
            concurrency: options.connections)
        let wrong = HistoryTable.layout.map(\.name).filter { stored[$0] != expected[$0] }
        guard wrong.isEmpty else {
            throw StorageError(
                .corruptDatabase,
                "the copy does not match the source in \(wrong.joined(separator: ", ")); nothing was kept",
                detail: wrong.map {
                    "\($0): source \(expected[$0]?.text ?? ""), copy \(stored[$0]?.text ?? "")"
                }
                .joined(separator: "; "))
        }
    }

    func phase(_ phase: Phase, done: Int, total: Int) {
        options.progress(HistoryProgress(step: phase.rawValue, rowsDone: done, rowsTotal: total))
        if options.pauseAt == phase, ![.swapping, .appending, .loading].contains(phase) { Self.pause(phase) }
    }

    /// Says where it stopped, on stderr, and waits to be killed (tests only).
    static func pause(_ phase: Phase) { pause(phase.rawValue) }

    static func pause(_ place: String) {
        FileHandle.standardError.write(Data("paused: \(place)\n".utf8))
        while true { sleep(60) }
    }

    // MARK: Reading and loading

    static let defaultTypes = Dictionary(
        uniqueKeysWithValues: HistoryTable.layout.map { table in
            (
                table.name,
                table.columns.map { column -> CopyBinary.ColumnType in
                    switch column.kind {
                    case .text: .text
                    case .integer: .bigint
                    case .json: .jsonb
                    case .timestamp, .stamp: .timestamptz
                    }
                }
            )
        })

    /// Every part read (and, with `load`, sent into staging), quarantines last.
    func readSource(load: Bool, total: Int) async throws -> ReadResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yt-builder-quarantine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The target's column types when loading; otherwise what each kind of column is.
        let types = load ? try await target.stagingColumnTypes() : Self.defaultTypes
        let spills = try Dictionary(
            uniqueKeysWithValues: ["quarantined_job_files", "quarantined_youtube_uploads", "quarantined_json"].map {
                ($0, try QuarantineSpill(table: HistoryTable.layout[table: $0]!, types: types[$0]!, folder: folder))
            })
        let result = ReadResult(folder: folder, spills: spills)
        phase(.loading, done: 0, total: total)
        let parts = source.parts
        let resources = ThreadResources(count: options.connections)
        let workers = BlockingWorkers()
        let done = Atomic<Int>(0)
        let paused = Atomic<Bool>(false)
        let (source, target, options, stamp) = (self.source, self.target, self.options, now.description)
        do {
            try await workers.run(threads: options.connections, items: parts.count) { thread, item in
                let part = parts[item]
                let table = HistoryTable.layout[table: part.table]!
                var encoder = RowEncoder(
                    table: table, types: types[table.name]!, quarantine: part.quarantine.flatMap { spills[$0] },
                    json: spills["quarantined_json"]!,
                    sealCredential: options.sealCredential, now: stamp)
                let reader = try resources.reader(thread, source)
                let copier = load ? try resources.copier(thread, target) : nil
                var counted = 0
                let read = { (send: ([UInt8]) throws -> Void) in
                    try reader.read(part) { row in
                        try encoder.add(row)
                        counted += 1
                        if encoder.pendingBytes >= 1 << 20 {
                            guard !workers.stopped else { throw CancellationError() }
                            try send(encoder.takePending())
                            let sofar = done.add(counted, ordering: .relaxed).newValue
                            counted = 0
                            options.progress(
                                HistoryProgress(step: Phase.loading.rawValue, rowsDone: sofar, rowsTotal: total))
                            if options.pauseInsideCopy, copier != nil, !paused.exchange(true, ordering: .relaxed) {
                                Self.pause("copying")
                            }
                        }
                    }
                    if encoder.pendingBytes > 0 { try send(encoder.takePending()) }
                }
                if let copier { try copier.copy(into: table, produce: read) } else { try read { _ in } }
                let sofar = done.add(counted, ordering: .relaxed).newValue
                options.progress(HistoryProgress(step: Phase.loading.rawValue, rowsDone: sofar, rowsTotal: total))
                result.add(table: table.name, encoder.checksum, byTable: encoder.byTable)
                if options.pauseAt == .loading, !paused.exchange(true, ordering: .relaxed) { Self.pause(.loading) }
            }
            for spill in spills.values { spill.close() }
            if load {
                let loaded = spills.values.filter { $0.checksum.rows > 0 }
                try await BlockingWorkers().run(threads: options.connections, items: loaded.count) { thread, item in
                    let spill = loaded[item]
                    try resources.copier(thread, target).copy(into: spill.table) { try spill.replay($0) }
                }
            }
        } catch {
            result.close()
            throw error
        }
        return result
    }
}

/// Each loading thread's own SQLite reader and PostgreSQL connection.
private final class ThreadResources: @unchecked Sendable {
    // Slot `n` is touched only by thread `n`.
    private var readers: [HistorySource.Reader?]
    private var copiers: [HistoryTarget.Copier?]

    init(count: Int) {
        readers = Array(repeating: nil, count: count)
        copiers = Array(repeating: nil, count: count)
    }

    func reader(_ thread: Int, _ source: HistorySource) throws -> HistorySource.Reader {
        if let reader = readers[thread] { return reader }
        let reader = try source.reader()
        readers[thread] = reader
        return reader
    }

    func copier(_ thread: Int, _ target: HistoryTarget) throws -> HistoryTarget.Copier {
        if let copier = copiers[thread] { return copier }
        let copier = try target.copier()
        copiers[thread] = copier
        return copier
    }
}

/// What reading found: each table's checksum, and the quarantine files.
final class ReadResult: Sendable {
    let folder: URL
    let spills: [String: QuarantineSpill]
    private let tables = Mutex<[String: TableChecksum]>([:])
    private let jsonFromSource = Mutex<[String: Int]>([:])

    init(folder: URL, spills: [String: QuarantineSpill]) {
        self.folder = folder
        self.spills = spills
    }

    var json: QuarantineSpill { spills["quarantined_json"]! }

    func add(table: String, _ checksum: TableChecksum, byTable: [String: Int]) {
        tables.withLock { $0[table, default: TableChecksum()].merge(checksum) }
        jsonFromSource.withLock { counts in counts.merge(byTable, uniquingKeysWith: +) }
    }

    /// Each layout table's checksum: its parts' and its quarantine file's.
    var checksums: [String: TableChecksum] {
        let parts = tables.withLock { $0 }
        return Dictionary(
            uniqueKeysWithValues: HistoryTable.layout.map { layout in
                var checksum = parts[layout.name] ?? TableChecksum()
                if let spill = spills[layout.name] { checksum.merge(spill.checksum) }
                return (layout.name, checksum)
            })
    }

    func report() -> [HistoryTransferReport.Table] {
        let checksums = checksums
        let rows = { (table: String) in checksums[table]?.rows ?? 0 }
        let json = jsonFromSource.withLock { $0 }.merging(self.json.byTable, uniquingKeysWith: +)
        let quarantine = ["job_files": "quarantined_job_files", "youtube_uploads": "quarantined_youtube_uploads"]
        return HistoryTable.layout.map { layout in
            let moved = quarantine[layout.name].map(rows) ?? 0
            let quarantined = quarantine[layout.name] == nil ? json[layout.name] ?? 0 : moved
            return HistoryTransferReport.Table(
                table: layout.name, source: rows(layout.name) + moved, copied: rows(layout.name),
                quarantined: quarantined, checksum: checksums[layout.name]?.text ?? "")
        }
    }

    func close() {
        for spill in spills.values { spill.close() }
        try? FileManager.default.removeItem(at: folder)
    }
}
