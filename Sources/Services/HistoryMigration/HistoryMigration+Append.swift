import Foundation
import HistoryFormats
import PostgresStorage
import SQLiteStorage
import StorageCore
import Synchronization

/// `migrate --append`: the history into a target that already holds one.
/// First the target is asked which of the source's jobs it has already (the
/// same run id and run directory), before anything is loaded: a job of its
/// own means the histories overlap, and nothing is done. Then the source is
/// loaded into staging and verified as for an empty target, and appended in
/// one transaction (`HistoryTarget.append`). The source's checksums are its
/// fingerprint: the same history appended again is recognised and copied
/// no second time.
extension HistoryMigration {
    func runAppend(started: ContinuousClock.Instant, total: Int) async throws -> HistoryTransferReport {
        let there = try await jobsAlreadyThere()
        if let own = there.notAppended {
            throw StorageError(
                .conflict,
                "the target already has job \(own.sourceJobID) of this history (run \(own.runID), there job "
                    + "\(own.targetJobID)\(there.count > 1 ? ", and \(there.count - 1) more" : ""); "
                    + "it was copied there before; nothing was appended")
        }
        let load = there.count == 0 && !options.dryRun
        if load { try await target.createStaging() }
        do {
            let read = try await readSource(load: load, total: total)
            defer { read.close() }
            let expected = read.checksums
            let fingerprint = HistoryTable.layout.map { "\($0.name):\(expected[$0.name]?.text ?? "")" }
                .joined(separator: ";")
            let report = { (append: HistoryAppendReport) in
                HistoryTransferReport(
                    tables: read.report(), alreadyMigrated: append.alreadyAppended, dryRun: options.dryRun,
                    seconds: started.duration(to: .now).inSeconds, quarantinedValues: read.json.sentences,
                    append: append)
            }
            if let earlier = try await target.earlierAppend(fingerprint: fingerprint) {
                if load { try await target.dropStaging() }
                return report(earlier)
            }
            if let first = there.first {
                let appends = there.appendIDs.sorted().map { "#\($0)" }
                throw StorageError(
                    .conflict,
                    "\(there.count) of this history's \(source.jobCount) jobs (job \(first.sourceJobID) is job "
                        + "\(first.targetJobID) there) came with append \(appends.joined(separator: ", ")), which "
                        + "copied another version of it; --append adds a history once; nothing was appended")
            }
            if options.dryRun {
                return report(
                    HistoryAppendReport(
                        appendID: nil, appendedAt: nil, alreadyAppended: false,
                        afterJobID: try await target.highestJobID()))
            }
            try await verifyStaging(expected, total: total)
            phase(.appending, done: total, total: total)
            let pause = options.pauseAt == .appending
            let appended = try await target.append(source: source.path, fingerprint: fingerprint, expected: expected) {
                if pause { Self.pause(.appending) }
            }
            return report(appended)
        } catch {
            if load { try? await target.dropStaging() }
            throw error
        }
    }

    /// What the target has of the source's jobs.
    struct JobsAlreadyThere {
        var count = 0
        var first: HistoryTarget.JobAlreadyThere?
        /// One that no append brought.
        var notAppended: HistoryTarget.JobAlreadyThere?
        var appendIDs: Set<Int64> = []

        mutating func add(_ jobs: [HistoryTarget.JobAlreadyThere]) {
            count += jobs.count
            first = first ?? jobs.first
            notAppended = notAppended ?? jobs.first { $0.appendID == nil }
            appendIDs.formUnion(jobs.compactMap(\.appendID))
        }
    }

    /// The source's jobs the target has, looked up a thousand at a time on a
    /// thread of its own, with one reader and one connection for every part.
    private func jobsAlreadyThere() async throws -> JobsAlreadyThere {
        let parts = source.parts.filter { $0.table == "jobs" }
        let found = Mutex(JobsAlreadyThere())
        let (source, target) = (self.source, self.target)
        try await BlockingWorkers().run(threads: 1, items: 1) { _, _ in
            let reader = try source.reader()
            let lookup = try target.jobLookup()
            var batch: [(id: Int64, runID: String, runDir: String)] = []
            let flush = {
                let there = try lookup.find(batch)
                found.withLock { $0.add(there) }
                batch.removeAll(keepingCapacity: true)
            }
            for part in parts {
                try reader.read(part) { row in
                    guard let id = row.text(0).flatMap({ Int64($0) }), let runID = row.text(1),
                        let runDir = row.text(2)
                    else { return }
                    batch.append((id, runID, runDir))
                    if batch.count == 1000 { try flush() }
                }
            }
            try flush()
        }
        return found.withLock { $0 }
    }
}
