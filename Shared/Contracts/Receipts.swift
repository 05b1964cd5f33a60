import Foundation

/// Intake's receipts for the messages of one agency that one batch
/// applied, in the order it read them: one message a batch and agency, not
/// one a receipt, so answering costs intake's outbox little.
public struct ReceiptsIssued: Contract, Hashable {
    public static let schema = "receipts.issued"
    public static let version = 1

    public var agency: String
    public var receipts: [Receipt]

    public init(agency: String, receipts: [Receipt]) {
        self.agency = agency
        self.receipts = receipts
    }

    /// Keyed by agency: each agency reads its own receipts in order.
    public var partitionKey: String { agency }

    /// The most receipts a message holds: a few hundred bytes each, well
    /// within a broker's 1 MB message limit whatever the batch size.
    public static let mostReceipts = 500

    /// The receipts of a batch, by agency in the order the agencies first
    /// appear, at most ``mostReceipts`` a message.
    public static func grouped(_ receipts: [Receipt]) -> [ReceiptsIssued] {
        var order: [String] = []
        var byAgency: [String: [Receipt]] = [:]
        for receipt in receipts {
            if byAgency[receipt.agency] == nil { order.append(receipt.agency) }
            byAgency[receipt.agency, default: []].append(receipt)
        }
        return order.flatMap { agency in
            let all = byAgency[agency]!
            return stride(from: 0, to: all.count, by: mostReceipts).map {
                ReceiptsIssued(agency: agency, receipts: Array(all[$0..<min($0 + mostReceipts, all.count)]))
            }
        }
    }
}

/// Intake's verdict on one message an agency sent, back to the agency:
/// what became of a referral or an evidence record. It names the agency's
/// own ids, the family and members by pseudonymous ids, and a problem by
/// its field: never a name, a date of birth or an address.
public struct Receipt: Codable, Sendable, Hashable {
    /// What intake made of a message.
    public enum Verdict: String, Codable, Sendable, CaseIterable {
        /// A referral registered (a new family, or joining one), or a record matched to its person.
        case accepted
        /// A record about someone no referral names yet: kept until one does.
        case held
        /// A record held before, matched now that a referral names its person.
        case released
        /// Not taken: the message breaks its contract, its agency is unknown or retired, or its signature fails.
        case refused
        /// A referral id received before with the same content: nothing changed.
        case repeated
        /// A referral id received before with other content: nothing changed; the first stands.
        case conflicting

        /// Whether the agency has something to put right.
        public var needsAction: Bool { self == .refused || self == .conflicting }
    }

    /// What the message was.
    public enum Kind: String, Codable, Sendable {
        case referral, evidence
    }

    /// The agency that sent it; empty when a refused message did not say.
    public var agency: String
    /// The message's event id, as the sender set it; nil for a release, which answers an earlier message.
    public var eventID: String?
    /// nil when a refused message could not be read that far.
    public var kind: Kind?
    /// The agency's id for the referral or record; nil when it could not be read.
    public var itemID: String?
    public var verdict: Verdict
    public var familyID: UUID?
    /// The family's labels for the people the message names (`P1`, `P2`).
    public var memberLabels: [String]
    /// Why, in words that name fields, never their values.
    public var detail: String
    public var issuedAt: Date

    public init(
        agency: String, eventID: String?, kind: Kind?, itemID: String?, verdict: Verdict, familyID: UUID? = nil, memberLabels: [String] = [],
        detail: String, issuedAt: Date
    ) {
        self.agency = agency
        self.eventID = eventID
        self.kind = kind
        self.itemID = itemID
        self.verdict = verdict
        self.familyID = familyID
        self.memberLabels = memberLabels
        self.detail = detail
        self.issuedAt = issuedAt
    }
}
