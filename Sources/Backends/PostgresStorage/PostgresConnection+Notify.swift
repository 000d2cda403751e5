import CLibPQ
import Foundation

extension PostgresConnection {
    /// Waits up to `timeout` seconds for a notification on a channel this
    /// connection listens to; true when one (or more) arrived.
    func waitForNotification(timeout: Double) throws -> Bool {
        if try drainNotifications() { return true }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw lostConnection("the connection has no socket") }
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        guard ready > 0 else { return false }
        guard PQconsumeInput(handle) == 1 else { throw lostConnection(String(cString: PQerrorMessage(handle))) }
        return try drainNotifications()
    }

    private func drainNotifications() throws -> Bool {
        var any = false
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            any = true
        }
        return any
    }

    private func lostConnection(_ message: String) -> PostgresError {
        PostgresError(sqlState: "08006", message: message, sql: nil, connectionLost: true)
    }
}
