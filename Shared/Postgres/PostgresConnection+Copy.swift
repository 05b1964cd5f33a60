import CLibpq

extension PostgresConnection {
    /// Streams rows into a `COPY ... FROM STDIN` statement in text format,
    /// the fastest way to load many rows.
    ///
    /// ```swift
    /// try connection.copyFrom("COPY evidence (id, kind) FROM STDIN") { writer in
    ///     for record in records {
    ///         writer.append(record.id)
    ///         writer.append(record.kind)
    ///         try writer.endRow()
    ///     }
    /// }
    /// ```
    /// - Returns: the number of rows the server stored.
    /// - Throws: what `writeRows` throws (the COPY is then abandoned and nothing
    ///   is stored), or ``PostgresError`` when the server rejects a row.
    @discardableResult
    public func copyFrom(
        _ query: PostgresQuery, file: String = #fileID, line: Int = #line,
        _ writeRows: (inout PostgresCopyWriter) throws -> Void
    ) throws -> Int {
        let start = try self.query(query, file: file, line: line)
        guard PQresultStatus(start.result) == PGRES_COPY_IN else {
            throw PostgresError(
                .copyFailed, serverMessage: "the statement is not COPY ... FROM STDIN", statement: query.sql,
                file: file, line: line)
        }
        var writer = PostgresCopyWriter(connection: self, statement: query.sql)
        do {
            try writeRows(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle, "abandoned by the client")
            _ = try? finishCopy(statement: query.sql, file: file, line: line)
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            throw PostgresError(
                .copyFailed, serverMessage: String(cString: PQerrorMessage(handle)), statement: query.sql,
                file: file, line: line)
        }
        return try finishCopy(statement: query.sql, file: file, line: line)
    }

    private func finishCopy(statement: String, file: String, line: Int) throws -> Int {
        var stored = 0
        var failure: (any Error)?
        while let result = PQgetResult(handle) {
            do {
                stored = try checked(result, statement: statement, file: file, line: line).affectedRows
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return stored
    }
}

/// Writes rows in `COPY` text format and sends them in large chunks.
public struct PostgresCopyWriter {
    private static let chunkSize = 1 << 16
    private let connection: PostgresConnection
    private let statement: String
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0

    init(connection: PostgresConnection, statement: String) {
        self.connection = connection
        self.statement = statement
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Appends the next field of the current row: a scalar (arrays travel
    /// as statement parameters, ``PostgresArray``).
    public mutating func append(_ value: some PostgresBindable) {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
        switch value.postgresParameter {
        case .null:
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
        case .text(let text):
            appendEscaped(text)
        case .bytes(let bytes):
            appendEscaped(PostgresHex.byteaLiteral(bytes))
        case .array:
            preconditionFailure("a COPY field is a scalar; bind arrays as statement parameters")
        }
    }

    /// Ends the current row; sends the buffer when it is full.
    public mutating func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        fieldsInRow = 0
        if buffer.count >= Self.chunkSize { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else {
            throw PostgresError(
                .copyFailed, serverMessage: String(cString: PQerrorMessage(connection.handle)), statement: statement)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            default: buffer.append(byte)
            }
        }
    }
}
