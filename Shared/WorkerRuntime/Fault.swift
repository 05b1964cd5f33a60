import Kafka
import Postgres

/// How the runtime tells a passing fault from input that can never succeed.
enum Fault {
    /// A fault that may pass (the database or the broker is down, a
    /// serialization race): retried, never dead-lettered.
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? PostgresError { return error.isRetriable }
        if let error = error as? KafkaError { return error.isRetriable }
        return false
    }

    /// A dead letter's reason: the rejection's own words, or the error's
    /// description, which names codes and statements, never values.
    static func reason(_ error: any Error) -> String {
        (error as? Rejection)?.reason ?? String(describing: error)
    }
}
