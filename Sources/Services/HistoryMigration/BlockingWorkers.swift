import Foundation
import Synchronization

/// Runs blocking work (SQLite reads, libpq COPY) on threads of its own, never
/// on Swift's cooperative pool: `count` threads take items `0..<items` in turn.
/// The first error stops the others at their next item (or when they ask
/// `stopped`), and is thrown. One run per instance.
final class BlockingWorkers: Sendable {
    private let next = Atomic<Int>(0)
    private let failure = Mutex<(any Error)?>(nil)

    var stopped: Bool { failure.withLock { $0 != nil } }

    func run(threads count: Int, items: Int, _ work: @escaping @Sendable (_ thread: Int, _ item: Int) throws -> Void)
        async throws
    {
        guard items > 0 else { return }
        let threads = max(1, min(count, items))
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<threads {
                group.addTask {
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        let worker = Thread {
                            while !self.stopped {
                                let item = self.next.wrappingAdd(1, ordering: .relaxed).oldValue
                                guard item < items else { break }
                                do {
                                    try work(thread, item)
                                } catch {
                                    self.failure.withLock { if $0 == nil { $0 = error } }
                                }
                            }
                            done.resume()
                        }
                        worker.stackSize = 4 << 20
                        worker.start()
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
