import CLibpq

/// The rows a statement returned. Owns libpq's result and frees it.
///
/// Rows are read where they were fetched, inside the closure that holds the
/// connection; decode them into Sendable values to take them further.
public final class PostgresRows: RandomAccessCollection {
    let result: OpaquePointer
    /// The statement's name, for decoding errors.
    let statement: String

    init(result: OpaquePointer, statement: String) {
        self.result = result
        self.statement = statement
    }

    deinit { PQclear(result) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(result)) }

    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: Int32(position)) }

    /// How many rows an `INSERT`, `UPDATE`, `DELETE` or `COPY` touched.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// The command tag's verb, e.g. `INSERT 0 3` or `ROLLBACK`.
    var commandStatus: String { String(cString: PQcmdStatus(result)) }

    /// Decodes every row as a tuple of the given types, by column position.
    /// - Throws: ``PostgresError`` with ``PostgresError/Code/decoding`` naming the column and type.
    public func decode<each Column: PostgresDecodable>(
        _ types: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) throws -> [(repeat each Column)] {
        try map { try $0.decode(types, file: file, line: line) }
    }

    func value<Value: PostgresDecodable>(
        row: Int32, column: Int32, as type: Value.Type, file: String, line: Int
    ) throws -> Value {
        guard column < PQnfields(result) else {
            throw PostgresError(.decoding, statement: statement, column: "#\(column)", file: file, line: line)
        }
        if PQgetisnull(result, row, column) == 1 {
            if let null = Value.postgresNull { return null }
        } else if let value = Value(
            postgresUTF8: UnsafeBufferPointer(
                start: UnsafeRawPointer(PQgetvalue(result, row, column)).assumingMemoryBound(to: UInt8.self),
                count: Int(PQgetlength(result, row, column))))
        {
            return value
        }
        let name = String(cString: PQfname(result, column))
        throw PostgresError(
            .decoding, serverMessage: "cannot read column as \(Value.self)", statement: statement,
            column: name, file: file, line: line)
    }
}

/// One row of ``PostgresRows``.
public struct PostgresRow {
    let rows: PostgresRows
    let index: Int32

    /// Reads one column, by position.
    public func decode<Value: PostgresDecodable>(
        column: Int, as type: Value.Type = Value.self, file: String = #fileID, line: Int = #line
    ) throws -> Value {
        try rows.value(row: index, column: Int32(column), as: type, file: file, line: line)
    }

    /// Reads the leading columns as a tuple, by position.
    public func decode<each Column: PostgresDecodable>(
        _ types: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) throws -> (repeat each Column) {
        var column: Int32 = 0
        func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
            defer { column += 1 }
            return try rows.value(row: index, column: column, as: type, file: file, line: line)
        }
        return (repeat try next((each Column).self))
    }
}
