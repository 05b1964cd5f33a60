import Kafka
import Postgres
import Store

/// A service's own logic: how to read its messages and what they change.
/// The runtime does the rest (batching, exactly-once, dead letters, retries).
public protocol WorkerHandler: Sendable {
    associatedtype Event: Sendable

    /// Checks and records what the stage's replicas must agree on before any
    /// of them reads a message (screening: the ruleset it decides under), in
    /// a transaction of its own, once the schema is up to date. Default: nothing.
    /// - Throws: an error saying why the stage must not start: the process
    ///   then exits non-zero without consuming.
    func prepare(on connection: PostgresConnection) throws

    /// Reads and validates one message.
    /// - Throws: ``Rejection`` for input that can never succeed (unparseable,
    ///   unknown schema version, failed validation, bad signature): the
    ///   message goes to the dead-letter topic with the reason.
    func decode(_ message: KafkaMessage) throws(Rejection) -> Event

    /// Admits or refuses each event against what only the database knows
    /// (the agency's signing key, say), in the batch's transaction, before
    /// any lock is taken: a refused event is dead-lettered with its
    /// rejection, alone, and the rest of the batch is applied at once, never
    /// one by one. The runtime calls it once per attempt. Default: all admitted.
    /// - Returns: each event's rejection, or nil for one admitted, in the events' order.
    func admit(_ events: [Event], on connection: PostgresConnection) throws -> [Rejection?]

    /// Locks the state these events will read and write, in the batch's
    /// transaction, before any of it is read: a stage that keeps state per
    /// family takes the batch's family locks here (``AdvisoryLocks``), once
    /// per batch and in one global order, so lanes and replicas applying
    /// events of one family (from any topic) take turns and never deadlock.
    /// The runtime calls it once per attempt, before ``apply(_:in:)``, even
    /// when it then applies the events one by one. Default: no locks.
    func lock(_ events: [Event], on connection: PostgresConnection) throws

    /// Applies events not applied before, inside the batch's transaction.
    /// Emit events through ``HandlerBatch/emit(_:)``: they are published once
    /// the transaction commits.
    /// - Throws: ``Rejection`` or a non-retriable error when an event cannot
    ///   be applied (the runtime then applies the events one by one and
    ///   dead-letters only the failing ones); a retriable error (the database
    ///   is down) makes the runtime retry the batch.
    func apply(_ events: [Event], in batch: inout HandlerBatch) throws

    /// Answers for the messages this attempt sets aside as dead letters,
    /// each with why, in the batch's transaction, after ``apply(_:in:)``: a
    /// stage that tells senders what became of their messages (intake's
    /// receipts) records and emits its answer here, so a refusal is
    /// answered exactly once, as an acceptance is. Default: nothing.
    func deadLettered(_ letters: [(message: KafkaMessage, reason: String)], in batch: inout HandlerBatch) throws

    /// How often the runtime offers the stage the work it put off
    /// (``applyDue(in:backlog:)``) while none is due; nil, the default, for a stage
    /// that puts none off.
    var dueWorkInterval: Duration? { get }

    /// Does work the stage put off that has come due (a family decided once
    /// its events have stopped coming), in a transaction of its own; emit as
    /// in ``apply(_:in:)``. A thrown error rolls the transaction back, and the
    /// runtime tries again after a pause.
    /// - Parameter backlog: the messages this process's consumer has yet to
    ///   apply, as of its last poll (nil before it has measured every
    ///   partition it holds: just started, or given new partitions); a stage
    ///   far behind (a bulk load) may rather put its work off until it has
    ///   caught up.
    func applyDue(in batch: inout HandlerBatch, backlog: Int?) throws -> DueWork
}

/// What one turn of a stage's put-off work did.
public struct DueWork: Sendable {
    /// The items done (families decided, say).
    public var done: Int
    /// Whether more is due now: the runtime asks again at once.
    public var moreDue: Bool
    /// How long the longest-waiting due item had been due when the turn
    /// began: how far the stage is behind (0 when nothing was due).
    public var overdueSeconds: Double
    /// Items the turn could not do and put off for later, so they hold up
    /// nothing else: the runtime logs each with its reason and counts them.
    public var setAside: [SetAside]

    /// An item put off because it cannot be done now, named without personal data.
    public struct SetAside: Sendable {
        public var item: String
        public var reason: String

        public init(item: String, reason: String) {
            self.item = item
            self.reason = reason
        }
    }

    public init(done: Int, moreDue: Bool, overdueSeconds: Double, setAside: [SetAside] = []) {
        self.done = done
        self.moreDue = moreDue
        self.overdueSeconds = overdueSeconds
        self.setAside = setAside
    }

    /// Nothing was due.
    public static let none = DueWork(done: 0, moreDue: false, overdueSeconds: 0)
}

extension WorkerHandler {
    public func prepare(on connection: PostgresConnection) throws {}

    public func admit(_ events: [Event], on connection: PostgresConnection) throws -> [Rejection?] {
        Array(repeating: nil, count: events.count)
    }

    public func lock(_ events: [Event], on connection: PostgresConnection) throws {}

    public func deadLettered(_ letters: [(message: KafkaMessage, reason: String)], in batch: inout HandlerBatch) throws {}

    public var dueWorkInterval: Duration? { nil }

    public func applyDue(in batch: inout HandlerBatch, backlog: Int?) throws -> DueWork { .none }
}

/// Why a message can never be processed; it goes to the dead-letter topic.
/// The reason names the field or rule, never personal data.
public struct Rejection: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// The transaction a batch is applied in, and the events it emits.
public struct HandlerBatch {
    /// The batch's connection, inside its transaction.
    public let connection: PostgresConnection
    private(set) var emitted: [OutboxEvent] = []
    private(set) var lastWork: [(PostgresConnection) throws -> Void] = []

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Queues an event to publish when the batch commits.
    public mutating func emit(_ event: OutboxEvent) {
        emitted.append(event)
    }

    /// Runs `work` on the batch's connection as the transaction's last
    /// statements, once the batch's events are written: an update of a row
    /// that batches on every lane update (a rescreen's progress) then holds
    /// its lock only through the commit, so the other lanes wait the least.
    public mutating func beforeCommit(_ work: @escaping (PostgresConnection) throws -> Void) {
        lastWork.append(work)
    }
}
