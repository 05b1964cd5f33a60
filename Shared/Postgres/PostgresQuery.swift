/// A SQL statement whose interpolated values become `$n` parameters.
///
/// ```swift
/// let query: PostgresQuery = "SELECT id FROM family WHERE local_authority = \(authority)"
/// // sql: "SELECT id FROM family WHERE local_authority = $1", one bind
/// ```
/// Values never enter the SQL text. Identifiers (schema and table names that
/// tests and migrations choose) go through `\(identifier:)`, which quotes them;
/// raw text needs the visible label `\(unescaped:)`.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$1`, `$2`, … where the values go.
    public var sql: String
    /// The values, in `$n` order.
    public var binds: [PostgresParameter]

    /// Creates a query from SQL text and its parameters, for SQL assembled
    /// elsewhere (migration files).
    public init(unsafeSQL sql: String, binds: [PostgresParameter] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// The SQL text only: binds are never printed.
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresParameter] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation(_ value: some PostgresBindable) {
            binds.append(value.postgresParameter)
            sql += "$\(binds.count)"
        }

        /// Binds an optional value: SQL NULL when absent. The generic overload
        /// would bind it too (optionals are bindable), but the compiler warns
        /// on every optional interpolated through it.
        public mutating func appendInterpolation<Value: PostgresBindable>(_ value: Value?) {
            binds.append(value.postgresParameter)
            sql += "$\(binds.count)"
        }

        /// Inserts a quoted identifier (a schema, table or column name).
        public mutating func appendInterpolation(identifier: String) {
            sql += Self.quoted(identifier)
        }

        /// Inserts quoted identifiers, separated by commas (a search path, a column list).
        public mutating func appendInterpolation(identifiers: [String]) {
            sql += identifiers.map(Self.quoted).joined(separator: ", ")
        }

        private static func quoted(_ identifier: String) -> String {
            "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// Inserts raw SQL text. Only for text the program itself wrote.
        public mutating func appendInterpolation(unescaped text: String) {
            sql += text
        }
    }
}
