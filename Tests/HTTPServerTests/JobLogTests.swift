import Foundation
import RunFiles
import Synchronization
import Testing

/// The render log read in blocks (a page of at most 1,000 lines, whatever
/// the file's length) and "lines since the last read" under a lock.
@Suite struct JobLogTests {
    func log(lines: Int, partial: String = "") throws -> (JobLog, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-log-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = (0..<lines).map { "line \($0)\n" }.joined() + partial
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/job.log"))
        return (JobLog(runDirectory: folder), folder)
    }

    @Test func pagesOfCompleteLines() throws {
        let (log, folder) = try log(lines: 2500, partial: "still being writ")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = log.lines(after: 0)
        #expect(first.lines.count == 1000 && first.lines.first == "line 0" && first.next == 1000)
        let last = log.lines(after: 2000)
        #expect(last.lines.count == 500 && last.lines.last == "line 2499" && last.next == 2500, "not the partial line")
        let past = log.lines(after: 9000)
        #expect(past.lines.isEmpty && past.next == 2500, "past the end: the end")
        let none = JobLog(runDirectory: folder + "/none").lines(after: 3)
        #expect(none.lines.isEmpty && none.next == 3, "no log yet")
    }

    @Test func readersAtOnceNeitherRepeatNorSkip() async throws {
        let (log, folder) = try log(lines: 5000)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pages = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { log.linesSinceLastRead().lines } }
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        let all = pages.flatMap { $0 }
        #expect(all.count == 5000, "every line once")
        #expect(Set(all).count == 5000, "no line twice")
        #expect(log.linesSinceLastRead().lines.isEmpty, "nothing new")
    }
}
