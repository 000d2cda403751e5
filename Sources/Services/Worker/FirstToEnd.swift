/// Runs both and answers with whichever ends first; the other is cancelled
/// (the waits it races end at once when cancelled) and awaited.
func firstToEnd<T: Sendable>(
    _ first: @escaping @Sendable () async -> T, _ second: @escaping @Sendable () async -> T
) async -> T {
    await withTaskGroup(of: T.self) { group in
        group.addTask(operation: first)
        group.addTask(operation: second)
        let winner = await group.next()!
        group.cancelAll()
        return winner
    }
}
