import Foundation

/// A claim awaiting audit, with what internal audit weighs when it draws a sample.
public struct AuditCandidate: Sendable, Hashable {
    public var claimID: UUID
    public var familyID: UUID
    /// `attachment` or a result's id: the sample's strata.
    public var payment: String
    public var keyworker: String?
    /// The agency that first referred the family.
    public var agency: String?
    /// Days from attachment to the day a result was measured; nil for the attachment fee.
    public var daysFromAttachment: Int?
    /// The criteria the family's eligibility decision found met.
    public var metCriteria: [String]

    public init(
        claimID: UUID, familyID: UUID, payment: String, keyworker: String?, agency: String?, daysFromAttachment: Int?, metCriteria: [String]
    ) {
        self.claimID = claimID
        self.familyID = familyID
        self.payment = payment
        self.keyworker = keyworker
        self.agency = agency
        self.daysFromAttachment = daysFromAttachment
        self.metCriteria = metCriteria
    }

    /// Eligible only because local discretion added its criterion to two
    /// national ones (phase 1: three national criteria, or two and local discretion).
    var restedOnLocalDiscretion: Bool {
        metCriteria.contains(AuditSampler.localDiscretion) && metCriteria.filter { $0 != AuditSampler.localDiscretion }.count < 3
    }
}

/// Draws internal audit's sample of a window's claims: from each payment's
/// stratum a share (at least one claim), by a generator seeded with `seed`,
/// so the same claims, percent and seed always give the same sample; then,
/// whatever the draw, the claims that carry a risk: a result measured soon
/// after attachment, a keyworker or an agency with an unusual share of the
/// window's claims, a family eligible on local discretion alone.
public struct AuditSampler: Sendable {
    public var percent: Double
    public var seed: Int64
    /// A result measured fewer days than this after attachment is a risk: no
    /// result of the programme is earned that fast (continuous employment
    /// takes 13 weeks).
    public var quickResultDays = 91

    /// The local discretion criterion's id in the shipped rulesets.
    static let localDiscretion = "local"

    public init(percent: Double, seed: Int64) {
        self.percent = percent
        self.seed = seed
    }

    /// The sample, in claim id order, each claim with every reason it is in it.
    public func draw(_ candidates: [AuditCandidate]) -> [(claimID: UUID, why: [String])] {
        let ordered = candidates.sorted { $0.claimID < $1.claimID }
        var why: [UUID: [String]] = [:]
        for (payment, stratum) in Dictionary(grouping: ordered, by: \.payment).sorted(by: { $0.key < $1.key }) {
            let drawn = pick(share(of: stratum.count), from: stratum, stream: "payment:" + payment)
            for claim in drawn {
                why[claim.claimID, default: []].append("drawn from the \(payment) stratum (\(drawn.count) of \(stratum.count))")
            }
        }
        for claim in ordered {
            if claim.payment != "attachment", let days = claim.daysFromAttachment, days < quickResultDays {
                why[claim.claimID, default: []].append("risk: result \(claim.payment) measured \(days) days after attachment")
            }
            if claim.restedOnLocalDiscretion {
                why[claim.claimID, default: []].append("risk: eligible on local discretion alone")
            }
        }
        for (kind, holder) in [("keyworker", \AuditCandidate.keyworker), ("agency", \AuditCandidate.agency)] {
            let byHolder = Dictionary(grouping: ordered.filter { $0[keyPath: holder] != nil }, by: { $0[keyPath: holder]! })
            for (name, claims) in byHolder.sorted(by: { $0.key < $1.key }) where Self.isUnusual(claims.count, of: ordered.count, among: byHolder.count) {
                for claim in pick(share(of: claims.count), from: claims, stream: kind + ":" + name) {
                    why[claim.claimID, default: []].append("risk: \(kind) \(name) holds \(claims.count) of the window's \(ordered.count) claims")
                }
            }
        }
        return why.keys.sorted().map { ($0, why[$0]!) }
    }

    /// A share of a stratum: `percent` of it, rounded up, at least one.
    private func share(of count: Int) -> Int {
        max(1, Int((Double(count) * percent / 100).rounded(.up)))
    }

    /// `count` of `claims` (in claim id order), by a Fisher–Yates shuffle
    /// written here so a sample drawn today draws the same under any later Swift.
    private func pick(_ count: Int, from claims: [AuditCandidate], stream: String) -> [AuditCandidate] {
        var generator = SplitMix64(seed: UInt64(bitPattern: seed) ^ Self.fnv1a(stream))
        var shuffled = claims
        for index in stride(from: shuffled.count - 1, to: 0, by: -1) {
            shuffled.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        return Array(shuffled.prefix(count))
    }

    /// More than twice the even share of the window's claims, and at least three.
    static func isUnusual(_ held: Int, of total: Int, among holders: Int) -> Bool {
        holders >= 2 && held >= 3 && Double(held) > 2 * Double(total) / Double(holders)
    }

    /// FNV-1a: a stable hash of a stratum's name (Swift's `Hasher` is seeded anew in every process).
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// SplitMix64: a small generator whose sequence depends on its seed alone.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
