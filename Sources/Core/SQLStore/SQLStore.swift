import StorageCore

/// The one implementation of every storage role over a SQL driver: the rules
/// (validation, the status machine, paging, guards, the lease protocol, which
/// error means what) live here once; each backend brings a driver, whose
/// connection runs the dialect's statements.
///
/// `@unchecked Sendable` because an open class cannot be checked: its stored
/// properties, and those of both subclasses, are `let`s of Sendable types.
open class SQLStore: Storage, @unchecked Sendable {
    public let driver: any SQLDriver
    let sql: SQLStatements
    private let clock: @Sendable () -> Timestamp
    /// What a task this store queues is given, unless its caller says otherwise.
    let maximumAttempts: Int

    public init(
        driver: any SQLDriver, clock: @escaping @Sendable () -> Timestamp,
        maximumAttempts: Int = JobQueue.defaultMaximumAttempts
    ) {
        self.driver = driver
        self.sql = driver.statements
        self.clock = clock
        self.maximumAttempts = maximumAttempts
    }

    var now: Timestamp { clock() }

    open func close() async {
        await driver.close()
    }

    /// Tells other processes (in the same transaction, where the dialect can)
    /// that work was queued.
    func notifyQueued(_ connection: any SQLConnection) throws {
        if let notify = sql.optional(.notifyQueued) { try connection.run(notify, []) }
    }

    /// And this process's idle workers, once the write is done.
    func wakeWorkers() { driver.queueWakeups.notifyAll() }

    /// A foreign key that names a missing job reads as that job's absence.
    func requiringJob<T>(_ jobID: Int64, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StorageError where error.kind == .notFound {
            throw StorageError(.notFound, "job \(jobID) does not exist", detail: error.detail)
        }
    }
}
