import Foundation
import StorageCore

/// The data directory: `runs/` (a folder per job), `fonts/`, `secret.key`.
///
/// It holds the one rule for paths that rows name. A row is data: an old
/// row, a row written on another machine, a hand-edited row. None of them may
/// steer a delete or a write, so a run directory is used only when, after
/// every symbolic link and `..` is resolved, it is a folder directly inside
/// `runs/` named `run-<job_id>-…` for that very job; and a file a row names
/// only when it resolves inside that run directory.
public struct DataDirectory: Hashable, Sendable, CustomStringConvertible {
    /// Absolute, without `.` or `..` (symbolic links are left as they are).
    public let path: String

    public init(_ path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.path = URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    public var runs: String { path + "/runs" }
    public var fonts: String { path + "/fonts" }
    public var description: String { path }

    /// Creates the data directory and `runs/` when missing; a clear error when
    /// something that is not a folder stands in the way.
    public func create() throws {
        for folder in [path, runs] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw StorageError.invalidInput(
                        "\(folder) is a file, not a folder; the data directory needs a folder there")
                }
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StorageError(.unavailable, "cannot create \(folder): \(error.localizedDescription)")
            }
        }
    }

    /// A path as rows store it: relative paths (the earlier service's
    /// `runs/run-2-…`) are relative to the data directory, never to the
    /// process's working directory.
    public func absolute(_ stored: String) -> String {
        stored.hasPrefix("/") ? stored : path + "/" + stored
    }

    /// The run directory job `jobID`'s row names, if the rule allows it.
    public func runDirectory(jobID: Int64, stored: String) throws(RunDirectoryRefused) -> RunDirectory {
        func refuse(_ reason: String) -> RunDirectoryRefused {
            RunDirectoryRefused(jobID: jobID, stored: stored, reason: reason)
        }
        guard !stored.isEmpty else { throw refuse("the row names no folder") }
        let absolute = self.absolute(stored)
        let components = absolute.split(separator: "/")
        guard let name = components.last.map(String.init) else { throw refuse("it is the root folder") }
        let prefix = "run-\(jobID)-"
        guard name.hasPrefix(prefix), name.count > prefix.count else {
            throw refuse("it is not named like job \(jobID)'s run directory (\(prefix)…)")
        }
        guard let realRuns = Self.realPath(runs) else { throw refuse("\(runs) does not exist") }
        let parent = "/" + components.dropLast().joined(separator: "/")
        guard Self.realPath(parent) == realRuns else { throw refuse("it is not inside \(runs)") }
        let candidate = realRuns + "/" + name
        var status = stat()
        guard lstat(candidate, &status) == 0 else { return RunDirectory(checkedPath: candidate, dataDirectory: self) }
        // A symbolic link is followed, and what it points at must pass the rule too.
        guard let real = Self.realPath(candidate) else { throw refuse("it is a symbolic link that leads nowhere") }
        let realName = URL(fileURLWithPath: real).lastPathComponent
        guard URL(fileURLWithPath: real).deletingLastPathComponent().path == realRuns,
            realName.hasPrefix(prefix), realName.count > prefix.count
        else { throw refuse("it leads to \(real), outside job \(jobID)'s run directories in \(runs)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw refuse("it is not a folder")
        }
        return RunDirectory(checkedPath: real, dataDirectory: self)
    }

    public func runDirectory(of job: Job) throws(RunDirectoryRefused) -> RunDirectory {
        try runDirectory(jobID: job.jobID, stored: job.runDirectory)
    }

    /// Removes the run directory of a job whose row has gone, if the rule
    /// allows it; a refused folder stays where it is.
    public func removeRunDirectory(of job: DeletedJob) -> RunDirectoryRemoval {
        var status = stat()
        if !job.runDirectory.isEmpty, lstat(absolute(job.runDirectory), &status) != 0, errno == ENOENT {
            return .missing
        }
        let run: RunDirectory
        do {
            run = try runDirectory(jobID: job.jobID, stored: job.runDirectory)
        } catch {
            return .refused(error.description)
        }
        guard lstat(run.path, &status) == 0 else { return .missing }
        do {
            try run.remove()
            return .removed(run.path)
        } catch {
            return .refused("job \(job.jobID)'s run directory \(run.path) could not be removed: \(error)")
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

public enum RunDirectoryRemoval: Hashable, Sendable {
    case removed(String)
    case missing
    /// Left in place, and why (a sentence that names the folder).
    case refused(String)
}

/// Why a row's run directory is not used: named in warnings, so an operator
/// can see which folder was left alone.
public struct RunDirectoryRefused: Error, Hashable, Sendable, CustomStringConvertible {
    public var jobID: Int64
    public var stored: String
    public var reason: String

    public init(jobID: Int64, stored: String, reason: String) {
        self.jobID = jobID
        self.stored = stored
        self.reason = reason
    }

    public var description: String {
        "job \(jobID)'s run directory '\(stored)' is not used: \(reason)"
    }
}
