import Foundation
import IntegrationSupport
import Postgres
import StageLogic
import Store
import Testing

/// `turnaround report claims|progress` as finance runs them: totals that are
/// the database's, in every format, and pages a browser shows whole.
@Suite(.startsProcesses, .takesAProcessSlot) struct FinanceReportTests {
    /// `count` claims spread over six windows of 2013/14 and 2014/15 and the
    /// four payments of phase 1; then 2013/14 Q1 audited, validated, submitted
    /// and half paid, half refused by the department; ten claims of 2013/14 Q2
    /// rejected by internal audit.
    static func generateClaims(_ count: Int, on pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            try connection.execute(
                """
                INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                          financial_year, claim_window, explanation, claimed_by)
                SELECT gen_random_uuid(), 'phase1-2012', '1.0.0', 'h', (ARRAY['attachment', 'A', 'B', 'C'])[1 + (i / 6) % 4],
                       10000 + (i * 7919) % 300000, year, year || ' Q' || (1 + i % 6 % 4), '{}', 'turnaround-claims'
                FROM generate_series(1, \(count)) AS i,
                     LATERAL (SELECT CASE WHEN i % 6 < 4 THEN '2013/14' ELSE '2014/15' END AS year) AS y
                """)
        }
        try await ClaimLifecycleTests.auditEverything(window: "2013/14 Q1", on: pool)
        try await pool.withTransaction(.readCommitted) { connection in
            let window = try ResultClaimTable.all(window: "2013/14 Q1", on: connection).map(\.claimID)
            _ = try ClaimLifecycle.validate(window, by: "auditor-1", on: connection)
            let submitted = try ClaimLifecycle.submit(window: "2013/14 Q1", by: "finance-1", on: connection)
            _ = try ClaimLifecycle.pay(returnID: submitted.returnID, claims: Array(window.prefix(window.count / 2)), by: "finance-2", on: connection)
            _ = try ClaimLifecycle.refuse(
                returnID: submitted.returnID, claims: Array(window.dropFirst(window.count / 2)), by: "finance-2", reason: "no evidence",
                on: connection)
            let rejected = try ResultClaimTable.all(window: "2013/14 Q2", on: connection).prefix(10).map(\.claimID)
            _ = try ClaimLifecycle.reject(rejected, by: "auditor-1", reason: "attendance figures do not match", on: connection)
        }
    }

    /// The database's own lines, of one window or year or of all: window, payment and stage, claims and pence.
    static func databaseLines(window: String? = nil, year: String? = nil, on pool: PostgresPool) async throws -> Set<[String]> {
        try await pool.withConnection { connection in
            Set(
                try connection.query(
                    """
                    SELECT claim_window, payment,
                           CASE WHEN status <> 'rejected' THEN status WHEN return_id IS NULL THEN 'rejected-by-audit'
                                ELSE 'refused-by-department' END,
                           count(*)::text, sum(amount_pence)::text
                    FROM result_claim
                    WHERE (\(window)::text IS NULL OR claim_window = \(window)) AND (\(year)::text IS NULL OR financial_year = \(year))
                    GROUP BY 1, 2, 3
                    """
                ).decode((String, String, String, String, String).self).map { [$0.0, $0.1, $0.2, $0.3, $0.4] })
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func theClaimsReportIsTheDatabasesOwnCountForTenThousandClaimsInEveryScope() async throws {
        try await PipelineHarness.with { pipeline in
            try await Self.generateClaims(10_000, on: pipeline.pool)
            let scopes: [([String], window: String?, year: String?)] = [
                ([], nil, nil), (["--year", "2013/14"], nil, "2013/14"), (["--window", "2013/14 Q1"], "2013/14 Q1", nil),
            ]
            for (arguments, window, year) in scopes {
                let expected = try await Self.databaseLines(window: window, year: year, on: pipeline.pool)
                let (claims, pence) = expected.reduce((0, 0)) { ($0.0 + Int($1[3])!, $0.1 + Int($1[4])!) }
                #expect(claims > 0)

                let json = try await pipeline.cli(["report", "claims", "--format", "json"] + arguments)
                #expect(json.status == 0, "\(json.output)")
                let document = try Self.json(json.output)
                let lines = try #require(document["lines"] as? [[String: String]])
                #expect(Set(lines.map { [$0["window"]!, $0["payment"]!, $0["stage"]!, $0["claims"]!, $0["amount_pence"]!] }) == expected)
                let total = try #require(document["total"] as? [String: Any])
                #expect(total["claims"] as? Int == claims && total["amount_pence"] as? Int == pence, "\(arguments)")
                #expect(document["reconciles"] as? Bool == true)

                let csv = try await pipeline.cli(["report", "claims", "--format", "csv"] + arguments)
                let rows = csv.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                let body = rows.dropLast()
                #expect(body.count == expected.count)
                #expect(body.reduce(0) { $0 + Int($1[3])! } == claims)
                let pounds = String(format: "%d.%02d", pence / 100, pence % 100)
                #expect(rows.last.map { [String($0[0]), String($0[3]), String($0[4])] } == ["total", "\(claims)", pounds])

                let table = try await pipeline.cli(["report", "claims"] + arguments)
                #expect(table.output.contains("The total reconciles with the database: \(claims) claims"), "\(table.output)")
            }
            let stages = try await Self.databaseLines(on: pipeline.pool).map { $0[2] }
            #expect(Set(stages) == ["awaiting-audit", "paid", "refused-by-department", "rejected-by-audit"])
        }
    }

    @Test func aWindowOrYearNotWrittenAsTheProgrammeWritesItIsRefusedSayingHow() async throws {
        try await PipelineHarness.with { pipeline in
            for (option, value, form) in [("--window", "2014 Q2", "2014/15 Q2"), ("--window", "2014-15 Q2", "2014/15 Q2"), ("--year", "2014", "2014/15")] {
                let refused = try await pipeline.cli(["report", "claims", option, value])
                #expect(refused.status != 0)
                #expect(refused.output.contains("\(option) \"\(value)\" is not a") && refused.output.contains(form), "\(refused.output)")
            }
        }
    }

    @Test func theProgressTableCountsEachFamilyOnceInTheQuarterItWasFirstCounted() async throws {
        try await PipelineHarness.with { pipeline in
            let families = (0..<4).map { _ in UUID() }
            try await pipeline.pool.withConnection { connection in
                for (family, eligibleSince, attachedOn) in [
                    (families[0], "2013-07-01", "2013-09-16"), (families[1], "2013-08-01", "2013-09-16"), (families[2], "2013-09-30", nil),
                    (families[3], "2013-10-01", "2013-11-01"),
                ] {
                    try connection.execute(
                        """
                        INSERT INTO claims_family (family_id, ruleset_id, is_eligible, eligible_since, attached_on)
                        VALUES (\(family), 'phase1-2012', true, \(eligibleSince)::date, \(attachedOn)::date)
                        """)
                }
                try connection.execute(
                    "INSERT INTO claims_family (family_id, ruleset_id, is_eligible) VALUES (gen_random_uuid(), 'phase1-2012', false)")
            }
            _ = try await ClaimLifecycleTests.claim(family: families[0], payment: "C", window: "2014/15 Q2", on: pipeline.pool)
            _ = try await ClaimLifecycleTests.claim(family: families[0], payment: "A", window: "2014/15 Q3", on: pipeline.pool)
            _ = try await ClaimLifecycleTests.claim(family: families[1], payment: "B", window: "2014/15 Q2", on: pipeline.pool)
            let rejected = try await ClaimLifecycleTests.claim(family: families[3], payment: "A", window: "2014/15 Q1", on: pipeline.pool)
            _ = try await pipeline.pool.withTransaction(.readCommitted) {
                try ClaimLifecycle.reject([rejected], by: "auditor-1", reason: "no evidence", on: $0)
            }

            let progress = try await pipeline.cli(
                ["report", "progress", "--authority", "Anytown", "--ruleset", "phase1-2012", "--target", "8", "--format", "json"])
            #expect(progress.status == 0, "\(progress.output)")
            let document = try Self.json(progress.output)
            #expect(document["total"] as? [String: Int] == ["identified": 4, "worked_with": 3, "turned_around": 1, "progress_to_work": 1])
            let quarters = try #require(document["quarters"] as? [[String: Any]])
            #expect(quarters.map { $0["quarter"] as? String } == ["2013/14 Q2", "2013/14 Q3", "2013/14 Q4", "2014/15 Q1", "2014/15 Q2"])
            #expect(quarters.map { $0["identified"] as? Int } == [3, 1, 0, 0, 0])
            #expect(quarters.map { $0["worked_with"] as? Int } == [2, 1, 0, 0, 0])
            #expect(quarters.map { $0["turned_around_to_date"] as? Int } == [0, 0, 0, 0, 1])
            let table = try await pipeline.cli(["report", "progress", "--authority", "Anytown", "--target", "8"])
            #expect(table.output.contains("Progress, Anytown, phase1-2012 v1.0.0, target 8 families"), "\(table.output)")
        }
    }

    @Test func eachReportPageLoadsInABrowserWithNoConsoleMessageItsChartsAndTheDatabasesTotals() async throws {
        try await PipelineHarness.with { pipeline in
            try await Self.generateClaims(600, on: pipeline.pool)
            try await pipeline.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO claims_family (family_id, ruleset_id, is_eligible, eligible_since, attached_on)
                    SELECT family_id, 'phase1-2012', true, '2013-06-01', '2013-07-01' FROM result_claim WHERE payment = 'attachment'
                    """)
            }
            let claimsPage = pipeline.folder.appendingPathComponent("claims.html")
            let progressPage = pipeline.folder.appendingPathComponent("progress.html")
            let wroteClaims = try await pipeline.cli(["report", "claims", "--format", "html", "--output", claimsPage.path])
            #expect(wroteClaims.output == "wrote \(claimsPage.path)\n")
            _ = try await pipeline.cli(["report", "progress", "--target", "200", "--format", "html", "--output", progressPage.path])
            let (claims, pence) = try await pipeline.pool.withConnection { connection in
                try connection.query("SELECT count(*), sum(amount_pence) FROM result_claim").decode((Int, Int).self)[0]
            }

            let page = try await HeadlessBrowser.load(claimsPage)
            #expect(page.console.isEmpty, "\(page.console)")
            #expect(page.dom.contains("<span id=\"total-claims\" data-claims=\"\(claims)\">\(claims)</span>"))
            #expect(page.dom.contains("<span id=\"total-amount\" data-pence=\"\(pence)\">"))
            #expect(page.dom.components(separatedBy: "<svg").count - 1 == 2)
            #expect(page.dom.components(separatedBy: "class=\"bar\"").count - 1 >= 6 * 4 + 4)

            let progress = try await HeadlessBrowser.load(progressPage)
            #expect(progress.console.isEmpty, "\(progress.console)")
            #expect(progress.dom.components(separatedBy: "<svg").count - 1 == 1)
            #expect(progress.dom.contains("class=\"reference\""))
            #expect(progress.dom.contains("\(claims / 4) families identified"))

            // The check sees what a page does wrong: one that tries to fetch is reported.
            let fetching = pipeline.folder.appendingPathComponent("fetching.html")
            try String(contentsOf: claimsPage, encoding: .utf8).replacing("</body>", with: "<img src=\"https://example.org/x.png\"></body>")
                .write(to: fetching, atomically: true, encoding: .utf8)
            #expect(try await HeadlessBrowser.load(fetching).console.count == 1)
        }
    }
}
