import Foundation

/// The peak memory of this process and all its descendants (ffmpeg
/// children included), sampled from /proc while some work runs. Each
/// process counts its proportional set size (`Pss` in smaps_rollup): pages
/// it shares with others (ffmpeg's libraries, in every ffmpeg) count once
/// over the tree, not once per process as resident sizes would.
enum ProcessTreeMemory {
    /// Runs `work`, sampling every 50 ms; returns its result and the peak
    /// bytes (of the descendants alone when `descendantsOnly`: the work runs
    /// in child processes and this one only waits).
    static func peak<T: Sendable>(descendantsOnly: Bool = false, _ work: () async throws -> T) async throws -> (
        T, Int64
    ) {
        let sampler = Task {
            var peak: Int64 = 0
            while !Task.isCancelled {
                peak = max(peak, treeBytes(descendantsOnly: descendantsOnly))
                try? await Task.sleep(for: .milliseconds(50))
            }
            return peak
        }
        do {
            let value = try await work()
            sampler.cancel()
            return (value, await sampler.value)
        } catch {
            sampler.cancel()
            throw error
        }
    }

    static func treeBytes(descendantsOnly: Bool = false) -> Int64 {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        var parent: [Int32: Int32] = [:]
        for pid in pids {
            // "pid (comm) state ppid ...": the name may hold spaces, so read after the last ')'.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let ppid = Int32(fields[1]) { parent[pid] = ppid }
        }
        let me = getpid()
        var total: Int64 = 0
        for pid in pids {
            var at = pid
            while at != me, let up = parent[at], up > 1 { at = up }
            guard at == me, !(descendantsOnly && pid == me) else { continue }
            total += proportionalBytes(pid) ?? residentBytes(pid) ?? 0
        }
        return total
    }

    static func proportionalBytes(_ pid: Int32) -> Int64? {
        guard let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return nil }
        for line in rollup.split(separator: "\n") where line.hasPrefix("Pss:") {
            // "Pss:   123456 kB"
            return line.split(separator: " ").dropFirst().first.flatMap { Int64($0) }.map { $0 * 1024 }
        }
        return nil
    }

    static func residentBytes(_ pid: Int32) -> Int64? {
        guard let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
