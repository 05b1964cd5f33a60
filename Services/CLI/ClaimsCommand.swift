import ArgumentParser
import Foundation
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary

/// Finance's claims: the list, and each claim's way from internal audit to payment.
struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "List the results payments claimed, and move them from internal audit to payment.",
        discussion: """
            A claim awaits internal audit, which validates or rejects it; a window's validated claims are submitted \
            to the department as one return; the department pays or refuses each. Every move names who made it, \
            is kept in the claim's history, and is refused whole, changing nothing, if any claim it names cannot make it.
            """,
        subcommands: [
            List.self, Measure.self, Validate.self, Reject.self, Submit.self, Paid.self, Refused.self, History.self, Pack.self, Allocation.self,
        ],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the claims, by claim window, as a table, CSV or JSON.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Only this claim window, e.g. '2013/14 Q2'.") var window: String?
        @Option(help: "Only claims in this status: \(ClaimStatus.allCases.map(\.rawValue).joined(separator: ", ")).") var status: String?
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func validate() throws {
            try validateClaimWindow(window)
            if let status, ClaimStatus(rawValue: status) == nil {
                throw ValidationError("--status must be one of \(ClaimStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let claims = try await common.withPool { pool in
                try await pool.withConnection { try ResultClaimTable.all(window: window, status: status, on: $0) }
            }
            let header = ["claim_id", "claim_window", "family_id", "payment", "amount", "financial_year", "ruleset", "status", "return_id"]
            let rows = claims.map { claim in
                [
                    claim.claimID.uuidString.lowercased(), claim.claimWindow, claim.familyID.uuidString.lowercased(), claim.payment,
                    "\(claim.amountPence)", claim.financialYear, "\(claim.rulesetID) v\(claim.rulesetVersion)",
                    claim.status, claim.returnID?.uuidString.lowercased() ?? "",
                ]
            }
            let total = claims.reduce(0) { $0 + $1.amountPence }
            Report(header: header, rows: rows, kinds: ["amount": .money]).print(format, summary: "\(claims.count) claims, \(Money(pence: total)) in all")
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record internal audit's finding that claims awaiting it are sound.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The claims' ids.") var claims: [String]
        @Option(help: "Who validates (your staff id), kept in each claim's history.") var by: String
        @Option(help: "A note kept with the validation.") var reason: String?

        func run() async throws {
            let ids = try parseClaimIDs(claims)
            let moved = try await common.inTransaction { try ClaimLifecycle.validate(ids, by: by, note: reason, on: $0) }
            common.say("validated \(moved.claims) claim(s), \(Money(pence: moved.totalPence))")
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record internal audit's finding that claims awaiting it are unsound.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The claims' ids.") var claims: [String]
        @Option(help: "Who rejects (your staff id), kept in each claim's history.") var by: String
        @Option(help: "Why: kept in each claim's history.") var reason: String

        func run() async throws {
            let ids = try parseClaimIDs(claims)
            let moved = try await common.inTransaction { try ClaimLifecycle.reject(ids, by: by, reason: reason, on: $0) }
            common.say("rejected \(moved.claims) claim(s), \(Money(pence: moved.totalPence))")
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a window's validated claims to the department as one return.",
            discussion: "Refused while any claim of the window awaits audit, and for a window submitted before.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The claim window, e.g. '2014/15 Q2'.") var window: String
        @Option(help: "Who submits (your staff id).") var by: String

        func validate() throws { try validateClaimWindow(window) }

        func run() async throws {
            let submitted = try await common.inTransaction { try ClaimLifecycle.submit(window: window, by: by, on: $0) }
            print(
                "submitted return \(submitted.returnID.uuidString.lowercased()) for \(submitted.claimWindow): "
                    + "\(submitted.claims) claim(s), \(Money(pence: submitted.totalPence))")
        }
    }

    struct Paid: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the department paid a return's claims (all of them, or those named).")
        @OptionGroup var common: CommonOptions
        @Option(name: .customLong("return"), help: "The return's id.") var returnID: String
        @Option(name: .customLong("claim"), help: "Only this claim of the return (repeat for several).") var claims: [String] = []
        @Option(help: "Who records the payment (your staff id).") var by: String

        func run() async throws {
            let (returnID, ids) = (try parseReturnID(self.returnID), try parseClaimIDs(claims))
            let moved = try await common.inTransaction { try ClaimLifecycle.pay(returnID: returnID, claims: ids, by: by, on: $0) }
            common.say("recorded \(moved.claims) claim(s) as paid, \(Money(pence: moved.totalPence))")
        }
    }

    struct Refused: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the department refused a return's claims (all of them, or those named).")
        @OptionGroup var common: CommonOptions
        @Option(name: .customLong("return"), help: "The return's id.") var returnID: String
        @Option(name: .customLong("claim"), help: "Only this claim of the return (repeat for several).") var claims: [String] = []
        @Option(help: "Who records the refusal (your staff id).") var by: String
        @Option(help: "The department's reason: kept in each claim's history.") var reason: String

        func run() async throws {
            let (returnID, ids) = (try parseReturnID(self.returnID), try parseClaimIDs(claims))
            let moved = try await common.inTransaction {
                try ClaimLifecycle.refuse(returnID: returnID, claims: ids, by: by, reason: reason, on: $0)
            }
            common.say("recorded \(moved.claims) claim(s) as refused, \(Money(pence: moved.totalPence))")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a claim's history: who made it, and every move since.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The claim's id.") var claim: String
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func run() async throws {
            let claimID = try parseClaimIDs([claim])[0]
            let (made, events) = try await common.withPool { pool in
                try await pool.withConnection { connection in
                    (try ResultClaimTable.made(claimID, on: connection), try ClaimEventTable.history(of: claimID, on: connection))
                }
            }
            guard let made else { throw CommandFailure.refused("no claim \(claim)") }
            let header = ["at", "from", "to", "by", "reason", "return_id"]
            let rows =
                [[Self.time(made.at), "", ClaimStatus.awaitingAudit.rawValue, made.claimedBy, "claimed", ""]]
                + events.map {
                    [Self.time($0.madeAt), $0.from, $0.to, $0.madeBy, $0.reason ?? "", $0.returnID?.uuidString.lowercased() ?? ""]
                }
            Report(header: header, rows: rows).print(format)
        }

        private static func time(_ date: Date) -> String {
            date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
        }
    }
}

extension ClaimsCommand {
    struct Measure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure now every eligible, attached family not measured as of the day, and claim what time earned it.",
            discussion: "The claims stage does this on its own every CLAIMS_SWEEP_INTERVAL_S; a claim is made once whoever measures.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var programme: ProgrammeOptions
        @Option(help: "Who measures (your staff id): the claims made are recorded as theirs.") var by: String

        func run() async throws {
            let (ruleset, today) = try programme.resolve()
            let sweep = MeasurementSweep(ruleset: ruleset, asOf: today(), claimant: by)
            let (measured, claims) = try await common.withPool { pool in
                var (measured, claims, moreDue) = (0, 0, true)
                while moreDue {
                    let turn = try await pool.withTransaction(.readCommitted) { try sweep.turn(on: $0, whenAnotherSweeps: .wait) }
                    (measured, claims, moreDue) = (measured + turn.measured, claims + turn.claims, turn.moreDue)
                }
                return (measured, claims)
            }
            common.say("measured \(measured) famil\(measured == 1 ? "y" : "ies") as of \(sweep.day): \(claims) claim(s) made")
        }

        func validate() throws {
            try validateStaffID(by)
        }
    }

    struct Pack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a claim's evidence pack: eligibility, attachment, baseline, measures, payment working, ruleset, history, audit.",
            discussion: "The pack names the family and its members by their pseudonymous ids only, and says where the names are kept.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case html, json }

        @OptionGroup var common: CommonOptions
        @Argument(help: "The claim's id.") var claim: String
        @Option(help: "html (one self-contained page) or json.") var format: Format = .html

        func run() async throws {
            let claimID = try parseClaimIDs([claim])[0]
            let pack = try await common.withPool { pool in
                try await pool.withConnection { try EvidencePack.load(claimID, on: $0) }
            }
            guard let pack else { throw CommandFailure.refused("no claim \(claim)") }
            switch format {
            case .html:
                print(EvidencePackPage.html(pack))
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(pack), as: UTF8.self))
            }
        }
    }
}

/// Claim ids as typed, each checked.
private func parseClaimIDs(_ texts: [String]) throws -> [UUID] {
    try texts.map { text in
        guard let id = UUID(uuidString: text) else { throw ValidationError("\(text) is not a claim id") }
        return id
    }
}

private func parseReturnID(_ text: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else { throw ValidationError("\(text) is not a return id") }
    return id
}
