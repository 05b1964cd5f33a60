/// An error from the Postgres layer: a connection that failed, a statement the
/// server refused, a row that did not decode.
///
/// The description names the kind of failure, the SQLSTATE, the constraint and
/// the statement, never a bound value: server messages can quote input, so
/// ``serverMessage`` is kept apart and is not printed, except for a failed
/// connection or configuration, where it is libpq's (or this layer's) own
/// account of the connection, without its password, and no statement ran.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connectionFailed, connectionLost, server, transactionAborted
            case decoding, invalidConfiguration, copyFailed, poolClosed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server could not be reached or refused the connection.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while a statement was in flight.
        public static let connectionLost = Code(.connectionLost)
        /// The server rejected a statement; ``PostgresError/sqlState`` says why.
        public static let server = Code(.server)
        /// `COMMIT` rolled back because a statement in the transaction had failed.
        public static let transactionAborted = Code(.transactionAborted)
        /// A column's value could not be read as the requested Swift type.
        public static let decoding = Code(.decoding)
        /// The configuration is incomplete or malformed.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A `COPY ... FROM STDIN` stream could not be sent.
        public static let copyFailed = Code(.copyFailed)
        /// The pool was shut down.
        public static let poolClosed = Code(.poolClosed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The five-character SQLSTATE the server reported, e.g. `23505`.
    public var sqlState: String?
    /// The server's or libpq's own message. It can quote input values, so it
    /// is not part of ``description``; read it deliberately.
    public var serverMessage: String?
    /// The constraint the server named, for integrity violations.
    public var constraint: String?
    /// The failing statement's name: a prepared statement's name, or the
    /// parameterised SQL text (which holds no values).
    public var statement: String?
    /// The column that failed to decode, for ``Code/decoding``.
    public var column: String?
    public var file: String
    public var line: Int

    public init(
        _ code: Code, sqlState: String? = nil, serverMessage: String? = nil, constraint: String? = nil,
        statement: String? = nil, column: String? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.sqlState = sqlState
        self.serverMessage = serverMessage
        self.constraint = constraint
        self.statement = statement
        self.column = column
        self.file = file
        self.line = line
    }

    /// Whether the same work may succeed if tried again: the connection failed
    /// or broke, the server is shutting down or overloaded, or the transaction
    /// lost a serialization or deadlock race.
    public var isRetriable: Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08")  // connection exception
            || sqlState == "40001"  // serialization_failure
            || sqlState == "40P01"  // deadlock_detected
            || sqlState == "53300"  // too_many_connections
            || sqlState.hasPrefix("57P")  // admin shutdown, crash shutdown, cannot connect now
    }

    /// Whether the server rejected a row because it duplicates a unique key.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    public var description: String { summary + ", at \(file):\(line)" }

    /// The description without the source location: for people running a command.
    public var summary: String {
        var parts = ["PostgresError.\(code)"]
        if code == .connectionFailed || code == .invalidConfiguration, let serverMessage {
            parts.append(serverMessage.split(whereSeparator: \.isNewline).joined(separator: "; "))
        }
        if let sqlState { parts.append("sqlstate \(sqlState)") }
        if let constraint { parts.append("constraint \(constraint)") }
        if let column { parts.append("column \(column)") }
        if let statement { parts.append("statement \"\(Self.abbreviated(statement))\"") }
        return parts.joined(separator: ", ")
    }

    private static func abbreviated(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count <= 120 ? flat : String(flat.prefix(117)) + "..."
    }
}
