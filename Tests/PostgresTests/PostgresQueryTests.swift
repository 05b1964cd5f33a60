import Foundation
import Postgres
import Testing

@Suite struct PostgresQueryTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let authority = "Leeds"
        let minimum = 3
        let query: PostgresQuery = "SELECT id FROM family WHERE authority = \(authority) AND size >= \(minimum)"
        #expect(query.sql == "SELECT id FROM family WHERE authority = $1 AND size >= $2")
        #expect(query.binds == [.text("Leeds"), .text("3")])
    }

    @Test func anAbsentOptionalBindsAsNullAndAPresentOneAsItsValue() {
        let (absent, present): (String?, Int?) = (nil, 7)
        let query: PostgresQuery = "UPDATE claim SET note = \(absent), revision = \(present)"
        #expect(query.sql == "UPDATE claim SET note = $1, revision = $2")
        #expect(query.binds == [.null, .text("7")])
    }

    @Test func identifiersAreQuotedNotBound() {
        let query: PostgresQuery = "CREATE SCHEMA \(identifier: #"odd"name"#)"
        #expect(query.sql == #"CREATE SCHEMA "odd""name""#)
        #expect(query.binds.isEmpty)
        let path: PostgresQuery = "SET search_path TO \(identifiers: ["base", #"odd"name"#])"
        #expect(path.sql == #"SET search_path TO "base", "odd""name""#)
    }

    @Test func arraysAreSentInPostgresBinaryArrayFormatUnquoted() throws {
        let names: [String?] = [#"a "quoted" one"#, nil]
        guard case .array(let array) = names.postgresParameter else {
            Issue.record("an array is not sent as one")
            return
        }
        // One dimension, has nulls, of text (25); 2 elements from 1; then each element's length and bytes, -1 for null.
        let header: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 25, 0, 0, 0, 2, 0, 0, 0, 1]
        #expect(array.type == 1009)
        #expect(array.bytes == header + [0, 0, 0, 14] + Array(#"a "quoted" one"#.utf8) + [0xff, 0xff, 0xff, 0xff])
        guard case .array(let bytes) = [Data([0, 1]), nil].postgresParameter else {
            Issue.record("an array of bytes is not sent as one")
            return
        }
        #expect(bytes.type == 1001)
        #expect(Array(bytes.bytes[8..<12]) == [0, 0, 0, 17])
    }

    @Test func uuidsAreSentAndReadAsPostgresWritesThem() {
        for _ in 0..<100 {
            let id = UUID()
            #expect(id.postgresParameter == .text(id.uuidString.lowercased()))
            #expect(UUID(postgresText: id.uuidString.lowercased()) == id)
            #expect(UUID(postgresText: id.uuidString) == id)
        }
        let text = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        #expect(UUID(postgresText: text)?.uuidString == text.uppercased())
        for malformed in ["", "a0eebc99", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "a0eebc99-9c0b-4ef8-bb6d+6bb9bd380a11"] {
            #expect(UUID(postgresText: malformed) == nil, "\(malformed)")
        }
    }

    @Test func queryDescriptionShowsNoValues() {
        let secret = "Jane Doe"
        let query: PostgresQuery = "INSERT INTO person (name) VALUES (\(secret))"
        #expect(!query.description.contains(secret))
    }

    @Test func configurationDescriptionHidesThePassword() {
        let configuration = PostgresConfiguration(url: "postgresql://app:s3cret@db.example:5432/turnaround")
        #expect(!configuration.description.contains("s3cret"))
        #expect(configuration.description.contains("app:****@db.example"))
        let inQuery = PostgresConfiguration(url: "postgresql://db.example/turnaround?password=s3cret&sslmode=disable")
        #expect(inQuery.description.contains("password=****&sslmode=disable"))
        let keywords = PostgresConfiguration(url: "host=db.example password='s3 cret' dbname=turnaround")
        #expect(!keywords.description.contains("s3") && keywords.description.contains("dbname=turnaround"))
    }

    @Test func missingDatabaseURLNamesTheVariable() {
        #expect {
            try PostgresConfiguration.fromEnvironment([:])
        } throws: { error in
            "\(error)".contains("DATABASE_URL is not set")
        }
    }

    /// What `turnaround check` prints when the database cannot be reached.
    @Test func aConnectionThatFailsSaysWhyInLibpqsWordsWithoutThePassword() {
        #expect {
            try PostgresConnection(configuration: PostgresConfiguration(url: "postgresql://app:s3cret@127.0.0.1:1/turnaround"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("Connection refused") && text.contains("port 1") && !text.contains("s3cret")
        }
        #expect {
            try PostgresConnection(configuration: PostgresConfiguration(url: "postgresql://app:s3cret@127.0.0.1:notaport/turnaround"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("invalid") && text.contains("notaport") && !text.contains("s3cret")
        }
    }

    @Test func errorDescriptionNamesStatementNotValues() {
        let error = PostgresError(
            .server, sqlState: "23505", serverMessage: "Key (name)=(Jane Doe) already exists", constraint: "person_name_key",
            statement: "INSERT INTO person (name) VALUES ($1)")
        #expect(error.description.contains("23505"))
        #expect(error.description.contains("person_name_key"))
        #expect(!error.description.contains("Jane Doe"))
        #expect(error.isUniqueViolation)
        #expect(!error.isRetriable)
    }
}
