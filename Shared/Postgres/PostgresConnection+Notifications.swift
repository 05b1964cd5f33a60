import CLibpq

extension PostgresConnection {
    /// Waits until the server sends a notification on a channel this
    /// connection listens to (`LISTEN channel`), or `timeout` passes.
    /// - Returns: the channels notified, empty when the time ran out.
    /// - Throws: ``PostgresError/Code/connectionLost`` when the server went away.
    public func waitForNotifications(timeout: Duration) throws -> [String] {
        var channels = takeNotifications()
        guard channels.isEmpty else { return channels }
        if socketHasInput(within: timeout) {
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError(.connectionLost, serverMessage: String(cString: PQerrorMessage(handle)), statement: "LISTEN")
            }
            channels = takeNotifications()
        }
        return channels
    }

    private func takeNotifications() -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(handle) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }
}
