import Foundation
import IntegrationSupport
import Postgres
import Testing

@Suite struct PostgresIntegrationTests {
    struct Abandoned: Error {}

    @Test func transactionRollsBackOnThrow() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { try $0.execute("CREATE TABLE referral (id integer PRIMARY KEY)") }
            await #expect(throws: Abandoned.self) {
                try await pool.withTransaction { connection in
                    try connection.execute("INSERT INTO referral (id) VALUES (\(1))")
                    throw Abandoned()
                }
            }
            let count = try await pool.withConnection {
                try $0.query("SELECT count(*) FROM referral").decode(Int.self).first
            }
            #expect(count == 0)
        }
    }

    @Test func transactionCommitsWhenBodyReturns() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { try $0.execute("CREATE TABLE referral (id integer PRIMARY KEY)") }
            let inserted = try await pool.withTransaction { connection in
                try connection.execute("INSERT INTO referral (id) VALUES (\(1)), (\(2))")
            }
            let count = try await pool.withConnection {
                try $0.query("SELECT count(*) FROM referral").decode(Int.self).first
            }
            #expect(inserted == 2)
            #expect(count == 2)
        }
    }

    @Test func swallowedStatementFailureMakesCommitThrow() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { try $0.execute("CREATE TABLE referral (id integer PRIMARY KEY)") }
            await #expect {
                try await pool.withTransaction { connection in
                    try connection.execute("INSERT INTO referral (id) VALUES (\(1))")
                    _ = try? connection.execute("INSERT INTO referral (id) VALUES (\(1))")
                }
            } throws: { ($0 as? PostgresError)?.code == .transactionAborted }
            let count = try await pool.withConnection {
                try $0.query("SELECT count(*) FROM referral").decode(Int.self).first
            }
            #expect(count == 0)
        }
    }

    @Test func timestampsRoundTripInAnyTimeZone() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let instant = Date(timeIntervalSince1970: 1_700_000_000.125)
            for zone in ["UTC", "Europe/London", "Asia/Kolkata", "America/St_Johns"] {
                let read = try await pool.withConnection { connection in
                    try connection.execute("SELECT set_config('TimeZone', \(zone), false)")
                    return try connection.query("SELECT \(instant)::timestamptz").decode(Date.self)[0]
                }
                #expect(abs(read.timeIntervalSince(instant)) < 0.000_5, "\(zone)")
            }
        }
    }

    @Test func sqlInParameterIsStoredLiterally() async throws {
        let hostile = "'); DROP TABLE note; --"
        try await TestEnvironment.withTestSchema { pool in
            let stored = try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE note (body text NOT NULL)")
                try connection.execute("INSERT INTO note (body) VALUES (\(hostile))")
                return try connection.query("SELECT body FROM note").decode(String.self)
            }
            #expect(stored == [hostile])
        }
    }

    @Test func uniqueViolationSurfacesAsSQLState23505() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE family (ref text CONSTRAINT family_ref_key UNIQUE)")
                try connection.execute("INSERT INTO family (ref) VALUES (\("F-1"))")
            }
            await #expect {
                try await pool.withConnection { try $0.execute("INSERT INTO family (ref) VALUES (\("F-1"))") }
            } throws: { error in
                guard let error = error as? PostgresError else { return false }
                return error.sqlState == "23505" && error.isUniqueViolation && error.constraint == "family_ref_key"
                    && !error.description.contains("F-1")
            }
        }
    }

    @Test func valuesRoundTripThroughEveryBindableType() async throws {
        let id = UUID()
        let bytes = Data([0, 1, 2, 0xfe, 0xff])
        try await TestEnvironment.withTestSchema { pool in
            let row = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT \(id)::uuid, \(bytes)::bytea, \(42)::bigint, \(true)::boolean, \(2.5)::float8,
                           \(nil as String?)::text, \("tab\there")::text
                    """
                ).decode((UUID, Data, Int, Bool, Double, String?, String).self).first
            }
            let values = try #require(row)
            #expect(values.0 == id)
            #expect(values.1 == bytes)
            #expect(values.2 == 42)
            #expect(values.3 == true)
            #expect(values.4 == 2.5)
            #expect(values.5 == nil)
            #expect(values.6 == "tab\there")
        }
    }

    @Test func arrayParametersInsertManyRowsInOneStatement() async throws {
        let ids = Array(1...1000)
        let names = ids.map { "row \($0)" }
        try await TestEnvironment.withTestSchema { pool in
            let inserted = try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE item (id integer PRIMARY KEY, name text NOT NULL)")
                return try connection.execute(
                    "INSERT INTO item (id, name) SELECT * FROM unnest(\(ids)::integer[], \(names)::text[])",
                    preparedAs: "insert_items")
            }
            #expect(inserted == 1000)
        }
    }

    /// Arrays travel in binary: the server reads exactly the bytes given, as
    /// its own `array_send` writes them, and casts the text to what a
    /// statement needs.
    @Test func arrayParametersAreReadAsTheServerWritesArraysAndCastAsNeeded() async throws {
        let texts: [String?] = [#"a "quoted", {braced} one"#, nil, #"back\slash"#, "ünïcödé \u{2028}", "", "NULL"]
        let everyByte: [Data?] = [Data(0...255), nil, Data()]
        let ids = [UUID(), UUID()]
        let instants = [Date(timeIntervalSince1970: 1_700_000_000.25), Date(timeIntervalSince1970: 0)]
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { connection in
                guard case .array(let sent) = texts.postgresParameter else {
                    Issue.record("an array is not sent as one")
                    return
                }
                let echoed = try connection.query("SELECT array_send(\(texts)::text[])").decode(Data.self)[0]
                #expect([UInt8](echoed) == sent.bytes)
                #expect(try connection.query("SELECT t FROM unnest(\(texts)::text[]) WITH ORDINALITY AS a (t, n) ORDER BY n").decode(String?.self) == texts)
                #expect(try connection.query("SELECT b FROM unnest(\(everyByte)::bytea[]) WITH ORDINALITY AS a (b, n) ORDER BY n").decode(Data?.self) == everyByte)
                #expect(try connection.query("SELECT cardinality(\([String]())::text[])").decode(Int.self) == [0])
                let cast = try connection.query(
                    """
                    SELECT (\(ids)::uuid[])[2], (\([7, -3])::integer[])[2] + (\([Int64.max])::bigint[])[1] / 2,
                           (\([true, false])::boolean[])[2], (\(instants)::timestamptz[])[1]
                    """, preparedAs: "casts").decode((UUID, Int64, Bool, Date).self)[0]
                #expect(cast.0 == ids[1])
                #expect(cast.1 == Int64.max / 2 - 3)
                #expect(cast.2 == false)
                #expect(cast.3 == instants[0])
                // Prepared while the array was absent, the statement took the parameter as uuid[]: binary text needs it prepared again.
                func count(_ ids: [UUID]?) throws -> Int? {
                    try connection.query("SELECT cardinality(\(ids)::uuid[])", preparedAs: "optional_ids").decode(Int?.self)[0]
                }
                #expect(try count(nil) == nil)
                #expect(try count(ids) == 2)
            }
        }
    }

    struct Note: Codable, Sendable, Equatable {
        var text: String
        var at: Date
        var tags: [String]
        var reviewer: String?
    }

    /// JSON columns of many rows in one statement and back, with the text
    /// an array literal must escape (quotes, backslashes, commas, braces).
    @Test func jsonValuesRoundTripThroughAJSONBColumnAsValues() async throws {
        let notes = [
            Note(text: #"said "no", then {maybe} \ later"#, at: Date(timeIntervalSince1970: 1_378_000_000), tags: ["a,b", "ü"], reviewer: nil),
            Note(text: "", at: Date(timeIntervalSince1970: 0), tags: [], reviewer: "co-ordinator"),
        ]
        try await TestEnvironment.withTestSchema { pool in
            let read = try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE note (id integer PRIMARY KEY, body jsonb NOT NULL)")
                try connection.execute(
                    "INSERT INTO note (id, body) SELECT id, body::jsonb FROM unnest(\([1, 2])::integer[], \(notes.map(PostgresJSON.init))::text[]) AS n (id, body)")
                #expect(try connection.query("SELECT body->>'reviewer' FROM note WHERE id = 2").decode(String.self) == ["co-ordinator"])
                return try connection.query("SELECT body::text FROM note ORDER BY id").decode(PostgresJSON<Note>.self).map(\.value)
            }
            #expect(read == notes)
        }
    }

    @Test func jsonOfTheWrongShapeIsADecodingErrorNamingTheColumn() async throws {
        try await TestEnvironment.withTestSchema { pool in
            await #expect {
                try await pool.withConnection { try $0.query(#"SELECT '{"text": 1}'::jsonb::text AS body"#).decode(PostgresJSON<Note>.self) }
            } throws: { error in
                (error as? PostgresError)?.code == .decoding && (error as? PostgresError)?.column == "body"
            }
        }
    }

    @Test func decodingErrorNamesColumnAndType() async throws {
        try await TestEnvironment.withTestSchema { pool in
            await #expect {
                try await pool.withConnection { connection in
                    try connection.query("SELECT 'not a number' AS referral_count").decode(Int.self)
                }
            } throws: { error in
                guard let error = error as? PostgresError else { return false }
                return error.code == .decoding && error.column == "referral_count"
                    && error.serverMessage?.contains("Int") == true
            }
        }
    }

    @Test func copyLoadsAllHundredThousandRows() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let stored = try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE evidence (id integer PRIMARY KEY, note text)")
                return try connection.copyFrom("COPY evidence (id, note) FROM STDIN") { writer in
                    for id in 1...100_000 {
                        writer.append(id)
                        writer.append(id == 7 ? "tab\tnew\nline back\\slash" : (id % 2 == 0 ? nil : "odd"))
                        try writer.endRow()
                    }
                }
            }
            let (count, nulls, special) = try await pool.withConnection { connection in
                (
                    try connection.query("SELECT count(*) FROM evidence").decode(Int.self).first,
                    try connection.query("SELECT count(*) FROM evidence WHERE note IS NULL").decode(Int.self).first,
                    try connection.query("SELECT note FROM evidence WHERE id = 7").decode(String.self).first
                )
            }
            #expect(stored == 100_000)
            #expect(count == 100_000)
            #expect(nulls == 50_000)
            #expect(special == "tab\tnew\nline back\\slash")
        }
    }

    @Test func copyAbandonedByThrowStoresNothing() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { try $0.execute("CREATE TABLE evidence (id integer PRIMARY KEY)") }
            await #expect(throws: Abandoned.self) {
                try await pool.withConnection { connection in
                    try connection.copyFrom("COPY evidence (id) FROM STDIN") { writer in
                        writer.append(1)
                        try writer.endRow()
                        throw Abandoned()
                    }
                }
            }
            let count = try await pool.withConnection {
                try $0.query("SELECT count(*) FROM evidence").decode(Int.self).first
            }
            #expect(count == 0)
        }
    }

    @Test func poolServesMoreTasksThanConnections() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 2) { pool in
            let backends = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try connection.query("SELECT pg_backend_pid()").decode(Int.self)[0]
                        }
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(backends.count <= 2)
        }
    }
}
