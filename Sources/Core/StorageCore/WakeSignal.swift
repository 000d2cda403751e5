import Foundation
import Synchronization

/// Wakes every waiter at once; a waiter also wakes after its timeout or when
/// its task is cancelled. How a store tells idle workers of this process that
/// a job may have been queued.
///
/// A waiter takes a `mark` before it looks for work and waits `since` it: a
/// signal that came between the look and the wait is not missed, the wait
/// returns at once.
public final class WakeSignal: Sendable {
    public struct Mark: Hashable, Sendable {
        let generation: UInt64
    }

    private struct State {
        var generation: UInt64 = 0
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Where the signal stands now; a later `notifyAll` moves it on.
    public var mark: Mark { state.withLock { Mark(generation: $0.generation) } }

    public func notifyAll() {
        let woken = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns at a signal after `mark` (at once if one came already), after
    /// `timeout`, or when the task is cancelled.
    public func wait(since mark: Mark? = nil, timeout: Duration) async {
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if Task.isCancelled { return true }
                    if let mark, mark.generation != state.generation { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            self.wake(id)
        }
        timer.cancel()
    }

    private func wake(_ id: UUID) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
    }
}
