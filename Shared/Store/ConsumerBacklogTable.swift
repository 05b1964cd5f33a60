import Foundation
import Postgres

/// Queries of `consumer_backlog`: how many messages each worker process of
/// each consumer group had yet to apply when it last measured.
public enum ConsumerBacklogTable {
    /// Records what one process (`member`) of a group has yet to apply, now.
    public static func report(consumer: String, member: String, messages: Int, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO consumer_backlog (consumer, member, messages, measured_at) VALUES (\(consumer), \(member), \(messages), now())
            ON CONFLICT (consumer, member) DO UPDATE SET messages = excluded.messages, measured_at = excluded.measured_at
            """, preparedAs: "consumer_backlog_report")
    }

    /// Forgets a process that stopped.
    public static func forget(consumer: String, member: String, on connection: PostgresConnection) throws {
        try connection.execute(
            "DELETE FROM consumer_backlog WHERE consumer = \(consumer) AND member = \(member)", preparedAs: "consumer_backlog_forget")
    }

    /// What these groups' processes measured within `recent`, summed: the
    /// processes that stopped reporting (ended without saying so) not counted.
    public static func total(of consumers: [String], measuredWithin recent: Duration, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            SELECT coalesce(sum(messages), 0)::bigint FROM consumer_backlog
            WHERE consumer = ANY(\(consumers)::text[]) AND measured_at >= now() - make_interval(secs => \(recent.timeInterval)::float8)
            """, preparedAs: "consumer_backlog_total"
        ).decode(Int.self)[0]
    }

    /// Deletes what processes measured before `cutoff`.
    public static func prune(measuredBefore cutoff: Date, on connection: PostgresConnection) throws {
        try connection.execute("DELETE FROM consumer_backlog WHERE measured_at < \(cutoff)", preparedAs: "consumer_backlog_prune")
    }
}
