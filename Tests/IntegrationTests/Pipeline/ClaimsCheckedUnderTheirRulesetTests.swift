import Contracts
import Digest
import Foundation
import IntegrationSupport
import Postgres
import Rules
import StageLogic
import Store
import Testing
import Vocabulary

/// `turnaround check claims` checks each claim under the ruleset version it
/// was made with: after Supporting Families 1.3.0 measured results from the
/// case's closure, claims made under 1.2.0 (measured from attachment) before
/// any case closed are not reported unsupported, while a claim its own rules
/// do not support still is, and one whose rules were never recorded is said
/// to be not checkable rather than measured under other rules.
@Suite(.startsProcesses, .takesAProcessSlot) struct ClaimsCheckedUnderTheirRulesetTests {
    static let running = ["RULESET": "supporting-families-2022"]
    static let check = ["check", "claims", "--as-of", "2023-10-01"]

    /// Supporting Families as it was before 1.3.0: results measured from attachment, not from the case's closure.
    static func earlierVersion(of running: Ruleset) throws -> Ruleset {
        let edited = running.content.replacingOccurrences(of: #""version": "1.3.0""#, with: #""version": "1.2.0""#)
            .replacingOccurrences(of: #""after": "caseClosure","#, with: "")
        return try Ruleset.decode(Array(edited.utf8), file: "supporting-families-1.2.0.json")
    }

    /// Families the claims stage holds as eligible under Supporting Families,
    /// attached on 1 September 2022, their cases still open, each with domestic
    /// abuse recorded against its adult in August 2022 and nothing since.
    static func attachedFamilies(_ count: Int, on connection: PostgresConnection) throws -> [UUID] {
        let families = (0..<count).map { _ in UUID() }
        let members = [
            FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1985-04-02")!),
            FamilyMember(id: "P2", dateOfBirth: CalendarDate(iso: "2014-10-20")!),
        ]
        try ClaimsFamilyTable.write(
            families.map {
                ClaimsFamilyRow(
                    familyID: $0, members: members, decisionID: UUID(), decisionRevision: 1, rulesetID: "supporting-families-2022",
                    isEligible: true, decidedOn: "2022-08-20", eligibleSince: "2022-08-20", attachedOn: "2022-09-01", keyworker: "kw-4",
                    attachedBy: "coordinator-1", closedOn: nil, closedBy: nil)
            }, on: connection)
        try FamilyEvidence.record(
            families.map {
                EvidenceRecorded(
                    familyID: $0, evidenceID: "police/DA-\($0.uuidString.prefix(8))", personID: "P1",
                    fact: .indicator(name: "domestic abuse", date: CalendarDate(iso: "2022-08-01")!), recordedAt: Date())
            }, in: .claims, on: connection)
        return families
    }

    /// A claim of the sustained-outcomes result, measured on `measuredOn`, as
    /// a claims stage running `version` of Supporting Families made it.
    static func claim(
        _ family: UUID, version: String, contentHash: String, measuredOn: String, on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                      financial_year, claim_window, explanation, claimed_by)
            VALUES (\(family), 'supporting-families-2022', \(version), \(contentHash), 'sustained-outcomes', 80000,
                    '2023/24', '2023/24 Q3', jsonb_build_object('measuredOn', \(measuredOn)::text), 'turnaround-claims')
            """)
    }

    @Test func claimsAreCheckedUnderTheRulesetVersionTheyWereMadeWith() async throws {
        let running = try Ruleset.bundled("supporting-families-2022")
        let earlier = try Self.earlierVersion(of: running)
        let unrecordedHash = SHA256.hex(Array("supporting families 1.1.0, its text never kept".utf8))
        try await PipelineHarness.with { pipeline in
            let families = try await pipeline.pool.withConnection { connection in
                // As the claims stage records the rulesets it starts with; 1.1.0 as the backfill did, without its text.
                for ruleset in [earlier, running] {
                    try RulesetInUse.record(ruleset, by: "claims", on: connection)
                }
                try connection.execute(
                    "INSERT INTO ruleset (ruleset_id, ruleset_version, content_hash) VALUES ('supporting-families-2022', '1.1.0', \(unrecordedHash))")
                return try Self.attachedFamilies(4, on: connection)
            }
            let (supported, tooEarly, current, unrecorded) = (families[0], families[1], families[2], families[3])
            try await pipeline.pool.withConnection { connection in
                // Six months after attachment under 1.2.0: supported by its rules, not by 1.3.0's (the case is open).
                try Self.claim(supported, version: "1.2.0", contentHash: earlier.contentHash, measuredOn: "2023-10-01", on: connection)
                // Three months after attachment: 1.2.0 itself does not support it.
                try Self.claim(tooEarly, version: "1.2.0", contentHash: earlier.contentHash, measuredOn: "2022-12-01", on: connection)
                // Under 1.3.0, for a case still open.
                try Self.claim(current, version: "1.3.0", contentHash: running.contentHash, measuredOn: "2023-10-01", on: connection)
                try Self.claim(unrecorded, version: "1.1.0", contentHash: unrecordedHash, measuredOn: "2023-10-01", on: connection)
            }

            let found = try await pipeline.cli(Self.check + ["--format", "json"], environment: Self.running)
            #expect(found.status == 1, "\(found.output)")
            let reported = try JSONSerialization.jsonObject(with: Data(found.output.utf8)) as? [[String: String]] ?? []
            let expected: [[String: String]] = [
                [
                    "family_id": tooEarly.uuidString.lowercased(), "payment": "sustained-outcomes", "finding": "unsupported",
                    "detail": "result sustained-outcomes is not achieved as of 2022-12-01 on the evidence held "
                        + "under supporting-families-2022 version 1.2.0, the ruleset it was claimed under",
                ],
                [
                    "family_id": current.uuidString.lowercased(), "payment": "sustained-outcomes", "finding": "unsupported",
                    "detail": "result sustained-outcomes is not achieved as of 2023-10-01 on the evidence held",
                ],
                [
                    "family_id": unrecorded.uuidString.lowercased(), "payment": "sustained-outcomes", "finding": "not checkable",
                    "detail": "the content of ruleset supporting-families-2022 version 1.1.0 is not recorded",
                ],
            ]
            #expect(Set(reported) == Set(expected), "\(found.output)")
            #expect(!found.output.contains(supported.uuidString.lowercased()), "\(found.output)")

            let table = try await pipeline.cli(Self.check, environment: Self.running)
            #expect(
                table.output.contains(
                    "4 families checked under \(running.reference) as of 2023-10-01: 0 claimable and not claimed, "
                        + "2 claimed and not supported, 1 claimed and not checkable (the rules they were claimed under are not known)"),
                "\(table.output)")

            // Finance rejects the two unsupported claims (here: removes them); the claim that cannot be checked is
            // listed, but is no finding against the claims, so the check passes.
            try await pipeline.pool.withConnection { connection in
                try connection.execute("DELETE FROM result_claim WHERE family_id = ANY(\([tooEarly, current])::uuid[])")
            }
            let after = try await pipeline.cli(Self.check, environment: Self.running)
            #expect(after.status == 0, "\(after.output)")
            #expect(after.output.contains("not checkable"), "\(after.output)")
            #expect(after.output.contains("0 claimed and not supported, 1 claimed and not checkable"), "\(after.output)")
        }
    }
}
