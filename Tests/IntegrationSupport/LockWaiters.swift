import Foundation
import Postgres

#if canImport(Glibc)
    import Glibc
#endif

/// For tests of two transactions racing: holds a transaction open until
/// another waits for one of its locks.
public enum LockWaiters {
    public struct NoneCame: Error, CustomStringConvertible {
        public let description = "no transaction waited for the holder's locks within 30 s"
    }

    /// Returns once a backend waits for a lock that `holder`'s transaction
    /// holds, watched from a connection of its own; throws after 30 s, so a
    /// race that no longer happens fails rather than hangs.
    public static func awaitOne(blockedBy holder: PostgresConnection, configuration: PostgresConfiguration) throws {
        let pid = try holder.query("SELECT pg_backend_pid()").decode(Int.self)[0]
        let observer = try PostgresConnection(configuration: configuration)
        let deadline = ContinuousClock.now + .seconds(30)
        while try observer.query("SELECT count(*) FROM pg_stat_activity WHERE \(pid) = ANY(pg_blocking_pids(pid))").decode(Int.self)[0] == 0 {
            guard ContinuousClock.now < deadline else { throw NoneCame() }
            usleep(5_000)
        }
    }
}
