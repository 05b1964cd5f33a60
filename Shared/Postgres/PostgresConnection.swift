import CLibpq
import Foundation

/// One libpq connection. Every call blocks the calling thread until the
/// server answers, so a connection is used from a ``PostgresPool`` lease,
/// which runs it on a dispatch queue of its own, never on Swift's
/// cooperative pool.
public final class PostgresConnection {
    let handle: OpaquePointer
    private let configuration: PostgresConfiguration
    /// The statements prepared on this session, with the parameter types they were prepared with.
    private var preparedStatements: [String: [Oid]] = [:]

    /// Opens a connection and sets its session up. Blocks until the server answers.
    /// - Throws: ``PostgresError`` with ``PostgresError/Code/connectionFailed``,
    ///   or what the configuration's ``PostgresConfiguration/sessionSetup`` throws.
    public init(configuration: PostgresConfiguration) throws {
        let parameters = configuration.connectionParameters
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let handle = PQconnectdbParams(keywordPointers, valuePointers, 1) else {
            throw PostgresError(.connectionFailed, serverMessage: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = configuration.withoutPassword(String(cString: PQerrorMessage(handle)))
            PQfinish(handle)
            throw PostgresError(.connectionFailed, serverMessage: message)
        }
        // libpq prints server notices ("table does not exist, skipping") to
        // stderr by default; they are informational and never reach a user.
        PQsetNoticeReceiver(handle, { _, _ in }, nil)
        self.handle = handle
        self.configuration = configuration
        try startSession()
    }

    /// Settles a new session's settings (a new connection's, or one libpq
    /// re-established: the server keeps nothing of the old session's).
    ///
    /// Statements are prepared once per connection and run once per batch of
    /// hundreds of rows, so planning each run costs little; a generic plan,
    /// cached while a table was small (every table starts empty), would scan
    /// it whole on every run long after it has grown. Dates and times are
    /// read in the ISO style whatever the server's default.
    private func startSession() throws {
        try executeScript(unsafeSQL: "SET plan_cache_mode = force_custom_plan; SET DateStyle = ISO", name: "session settings")
        try configuration.sessionSetup?(self)
    }

    deinit { PQfinish(handle) }

    /// Runs a statement and returns its rows.
    /// - Parameter preparedAs: a name under which the statement is prepared on
    ///   first use on this connection and executed as prepared after that;
    ///   nil runs it unprepared.
    /// - Throws: ``PostgresError`` with the SQLSTATE when the server refuses it.
    @discardableResult
    public func query(
        _ query: PostgresQuery, preparedAs name: String? = nil, file: String = #fileID, line: Int = #line
    ) throws -> PostgresRows {
        let result = try send(query, preparedAs: name, file: file, line: line)
        return try checked(result, statement: name ?? query.sql, file: file, line: line)
    }

    /// Runs a statement and returns how many rows it touched.
    @discardableResult
    public func execute(
        _ query: PostgresQuery, preparedAs name: String? = nil, file: String = #fileID, line: Int = #line
    ) throws -> Int {
        try self.query(query, preparedAs: name, file: file, line: line).affectedRows
    }

    /// Runs a script of several statements with no parameters, such as a
    /// migration file. The label says it: the text must come from the program,
    /// never from input.
    public func executeScript(unsafeSQL script: String, name: String, file: String = #fileID, line: Int = #line) throws {
        // A failing statement stops the script, and its error is the result.
        _ = try checked(PQexec(handle, script), statement: name, file: file, line: line)
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    /// - Throws: what `body` throws, or ``PostgresError/Code/transactionAborted``
    ///   when a failed statement inside made `COMMIT` roll back.
    @discardableResult
    public func withTransaction<Value>(
        _ isolation: PostgresIsolationLevel = .readCommitted, file: String = #fileID, line: Int = #line,
        _ body: (PostgresConnection) throws -> Value
    ) throws -> Value {
        try execute(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.sql)"), file: file, line: line)
        let value: Value
        do {
            value = try body(self)
        } catch {
            if PQstatus(handle) == CONNECTION_OK { _ = try? execute("ROLLBACK") }
            throw error
        }
        if try query("COMMIT", file: file, line: line).commandStatus == "ROLLBACK" {
            throw PostgresError(.transactionAborted, statement: "COMMIT", file: file, line: line)
        }
        return value
    }

    /// Makes the connection fit for a new lease: notices a server that went
    /// away while it sat idle, reconnects, and ends any transaction left open.
    /// - Returns: whether it had to reconnect.
    func prepareForUse() throws -> Bool {
        var reconnected = false
        // A server that shut down sent a FATAL message and then closed the
        // socket; reading both is what tells libpq the connection is gone.
        while PQstatus(handle) == CONNECTION_OK, socketHasInput(within: .zero), PQconsumeInput(handle) == 1 {}
        if PQstatus(handle) != CONNECTION_OK {
            PQreset(handle)
            preparedStatements.removeAll()
            reconnected = true
            guard PQstatus(handle) == CONNECTION_OK else {
                throw PostgresError(.connectionFailed, serverMessage: configuration.withoutPassword(String(cString: PQerrorMessage(handle))))
            }
            try startSession()
        }
        if PQtransactionStatus(handle) != PQTRANS_IDLE {
            try execute("ROLLBACK")
        }
        return reconnected
    }

    /// Whether the server sent something, waiting up to `timeout` for it.
    func socketHasInput(within timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)) > 0
    }

    private func send(_ query: PostgresQuery, preparedAs name: String?, file: String, line: Int) throws -> OpaquePointer? {
        if let name {
            let types = query.binds.map(Self.type)
            // Prepared with NULL where an array is bound now, the server took the statement's type
            // for it, which binary text need not be: prepared again with the array's.
            if let prepared = preparedStatements[name], !zip(prepared, types).allSatisfy({ $1 == 0 || $0 == $1 }) {
                try execute("DEALLOCATE \(identifier: name)", file: file, line: line)
                preparedStatements[name] = nil
            }
            if preparedStatements[name] == nil {
                _ = try checked(PQprepare(handle, name, query.sql, Int32(types.count), types), statement: name, file: file, line: line)
                preparedStatements[name] = types
            }
        }
        return Self.withParameterArrays(query.binds) { count, types, values, lengths, formats in
            if let name {
                PQexecPrepared(handle, name, count, values, lengths, formats, 0)
            } else {
                PQexecParams(handle, query.sql, count, types, values, lengths, formats, 0)
            }
        }
    }

    /// Turns a result into rows, or into the error it reports.
    func checked(_ result: OpaquePointer?, statement: String, file: String, line: Int) throws -> PostgresRows {
        guard let result else {
            throw connectionError(statement: statement, file: file, line: line)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN:
            return PostgresRows(result: result, statement: statement)
        default:
            defer { PQclear(result) }
            throw serverError(result, statement: statement, file: file, line: line)
        }
    }

    func serverError(_ result: OpaquePointer, statement: String, file: String, line: Int) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        guard let sqlState = field("C") else {
            return connectionError(statement: statement, file: file, line: line)
        }
        return PostgresError(
            .server, sqlState: sqlState, serverMessage: field("M"), constraint: field("n"),
            statement: statement, file: file, line: line)
    }

    private func connectionError(statement: String, file: String, line: Int) -> PostgresError {
        PostgresError(
            PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
            serverMessage: String(cString: PQerrorMessage(handle)), statement: statement, file: file, line: line)
    }

    /// A parameter's type as libpq is told it: left to the server (0) for
    /// text and NULL, which it takes as the statement needs; given for what
    /// is sent in binary.
    private static func type(of bind: PostgresParameter) -> Oid {
        switch bind {
        case .null, .text: 0
        case .bytes: 17
        case .array(let array): array.type
        }
    }

    /// Lays the parameters out as the parallel C arrays libpq takes: text
    /// parameters in text format with the type left to the server, bytes and
    /// arrays in binary format with their types.
    private static func withParameterArrays<Result>(
        _ binds: [PostgresParameter],
        _ body: (
            Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?
        ) -> Result
    ) -> Result {
        var storage: [UnsafeMutablePointer<CChar>?] = []
        storage.reserveCapacity(binds.count)
        let types = binds.map(type)
        var lengths = [Int32](repeating: 0, count: binds.count)
        var formats = [Int32](repeating: 0, count: binds.count)
        defer { storage.forEach { free($0) } }
        func binary(_ bytes: [UInt8], at index: Int) {
            let copy = malloc(max(1, bytes.count))!
            bytes.withUnsafeBytes { raw in
                if let source = raw.baseAddress { copy.copyMemory(from: source, byteCount: bytes.count) }
            }
            storage.append(copy.assumingMemoryBound(to: CChar.self))
            lengths[index] = Int32(bytes.count)
            formats[index] = 1
        }
        for (index, bind) in binds.enumerated() {
            switch bind {
            case .null:
                storage.append(nil)
            case .text(let text):
                storage.append(strdup(text))
            case .bytes(let bytes):
                binary(bytes, at: index)
            case .array(let array):
                binary(array.bytes, at: index)
            }
        }
        let values = storage.map { UnsafePointer($0) }
        return body(Int32(binds.count), types, values, lengths, formats)
    }
}

/// A transaction's isolation level.
public enum PostgresIsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}
