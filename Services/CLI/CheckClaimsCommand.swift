import ArgumentParser
import Foundation
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary

struct CheckClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Re-measure every family the claims stage holds: each claimable result claimed, nothing claimed that the rules do not support.",
        discussion: """
            Measures what is due as the claims stage does (--ruleset / RULESET, --as-of / AS_OF_DATE), holding \
            each family's claims lock. Each claim made is checked under the version of the ruleset it was made \
            with (its id, version and content hash), as recorded when screening or claims started with it, so a rule a later version \
            adds does not undo claims made before it; a claim whose ruleset's content is not recorded is listed \
            as not checkable, with the reason, and not measured under other rules. Exits 1 while a claimable \
            payment is unclaimed or a claim is unsupported; a claim that is only not checkable does not change \
            the exit status. With --fix, claims what is due (under --by); an unsupported claim is reported, never \
            removed: that is finance's decision.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var programme: ProgrammeOptions
    @Option(help: "table, csv or json.") var format: Report.Format = .table
    @OptionGroup var repair: RepairOptions

    func run() async throws {
        let logger = common.makeLogger()
        let (ruleset, today) = try programme.resolve()
        // The claims due are recorded only with --fix, and then in --by's name.
        let claimer = Claimer(ruleset: ruleset, asOf: today(), claimant: repair.by ?? "")
        let pool = try await common.pool(logger: logger)
        defer { pool.close() }

        let (families, claimRulesets) = try await pool.withConnection { connection in
            (
                Array(Set(try ClaimsFamilyTable.allFamilyIDs(on: connection) + ResultClaimTable.claimedFamilyIDs(rulesetID: ruleset.id, on: connection)))
                    .sorted(),
                try ClaimRulesets.load(running: ruleset, on: connection)
            )
        }
        let fixing = repair.fix
        let year = claimer.calculator.asOf.financialYear
        var findings: [Claimer.Review] = []
        // Families whose results wait for the year's allocation: held back
        // now (--fix), or that claiming now would hold back.
        var held: Set<UUID> = []
        for chunk in CheckCommand.transactions(of: families) {
            let (reviews, chunkHeld) = try await pool.withTransaction { connection -> ([Claimer.Review], [UUID]) in
                try AdvisoryLocks.claimsFamilies.lock(chunk.map(\.uuidString), on: connection)
                let reviews = try claimer.review(chunk, checkingClaimsUnder: claimRulesets, on: connection)
                return (reviews, fixing ? try claimer.claim(reviews, on: connection).held : try claimer.heldBack(reviews, on: connection))
            }
            findings += reviews
            held.formUnion(chunkHeld)
        }
        let room = held.isEmpty ? nil : try await pool.withConnection { try AllocationTable.room(year: year, on: $0) }
        let heldReason = room == nil ? "no allocation set for \(year)" : "no allocation left for \(year)"

        var rows: [[String]] = []
        var (claimedNow, unclaimed, heldBack) = (0, 0, 0)
        for review in findings {
            let family = review.familyID.uuidString.lowercased()
            for claim in review.due {
                let amount = "due: " + Money(pence: claim.amountPence).description
                if held.contains(review.familyID) && claim.payment != ClaimExplanation.attachmentPayment {
                    heldBack += 1
                    rows.append([family, claim.payment, "held back", amount + "; " + heldReason])
                } else if fixing {
                    claimedNow += 1
                    rows.append([family, claim.payment, "claimed now", amount])
                } else {
                    unclaimed += 1
                    rows.append([family, claim.payment, "unclaimed", amount])
                }
            }
            for (payment, reason) in review.unsupported {
                rows.append([family, payment, "unsupported", reason])
            }
            for (payment, reason) in review.notCheckable {
                rows.append([family, payment, "not checkable", reason])
            }
        }
        let unsupported = findings.reduce(0) { $0 + $1.unsupported.count }
        let notCheckable = findings.reduce(0) { $0 + $1.notCheckable.count }
        let dueFinding =
            (fixing ? "\(claimedNow) claimed now" : "\(unclaimed) claimable and not claimed")
            + (heldBack > 0 ? ", \(heldBack) held back (\(heldReason))" : "")
        Report(header: ["family_id", "payment", "finding", "detail"], rows: rows).print(
            format,
            summary: "\(families.count) families checked under \(ruleset.reference) as of \(claimer.calculator.asOf): "
                + "\(dueFinding), \(unsupported) claimed and not supported"
                + (notCheckable > 0 ? ", \(notCheckable) claimed and not checkable (the rules they were claimed under are not known)" : ""))
        if unsupported > 0 || unclaimed > 0 { throw ExitCode.failure }
    }
}
