import ArgumentParser
import Foundation
import Postgres
import Reports
import Rules
import StageLogic

/// Finance's reports over many claims: read from the database and rendered,
/// as `turnaround report` does, in every format.
struct FinanceReportsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports", abstract: "Make the claims and progress reports over N claims in 12 windows, in each format.")
    @Option var claims = 100_000

    func run() async throws {
        let schema = "bench_reports"
        let pool = try await Benchmark.migratedPool(schema: schema)
        defer { pool.close() }
        try await pool.withConnection { connection in
            try connection.execute(
                """
                INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                          financial_year, claim_window, explanation, claimed_by)
                SELECT gen_random_uuid(), 'phase1-2012', '1.0.0', 'h', (ARRAY['attachment', 'A', 'B', 'C'])[1 + (i / 12) % 4],
                       10000 + (i * 7919) % 300000, y.year, y.year || ' Q' || (1 + i % 4), '{}', 'bench'
                FROM generate_series(1, \(claims)) AS i,
                     LATERAL (SELECT (2013 + i % 12 / 4)::text || '/' || (14 + i % 12 / 4)::text AS year) AS y
                """)
            try connection.execute(
                """
                INSERT INTO claims_family (family_id, ruleset_id, is_eligible, eligible_since, attached_on)
                SELECT family_id, 'phase1-2012', true, DATE '2013-04-01' + (random() * 700)::int, DATE '2013-06-01' + (random() * 700)::int
                FROM result_claim WHERE payment = 'attachment'
                """)
            try connection.execute("ANALYZE result_claim")
            try connection.execute("ANALYZE claims_family")
        }
        let ruleset = try Ruleset.bundled("phase1-2012")
        for format in ReportFormat.allCases {
            let elapsed = try await ContinuousClock().measure {
                let report = try await pool.withTransaction(.repeatableRead) { try FinanceReports.claims(.all, on: $0) }
                _ = try report.rendered(as: format)
            }
            Benchmark.report("report-claims-\(format)", count: claims, elapsed: elapsed)
        }
        let elapsed = try await ContinuousClock().measure {
            let report = try await pool.withTransaction(.repeatableRead) {
                try FinanceReports.progress(authority: "bench", ruleset: ruleset, target: claims / 4, on: $0)
            }
            _ = try report.rendered(as: .html)
        }
        Benchmark.report("report-progress-html", count: claims, elapsed: elapsed)
    }
}
