import Foundation
import StageLogic
import Testing

@Suite struct AuditSamplerTests {
    /// 40 attachment fees and 10 results C over four keyworkers and two agencies, none risky.
    static let window: [AuditCandidate] = (0..<50).map { index in
        AuditCandidate(
            claimID: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", index))!, familyID: UUID(),
            payment: index < 40 ? "attachment" : "C", keyworker: "kw-\(index % 4)", agency: index % 2 == 0 ? "police" : "school",
            daysFromAttachment: index < 40 ? nil : 120, metCriteria: ["crime", "education", "work"])
    }

    @Test func theSameClaimsPercentAndSeedDrawTheSameSampleInAnyOrder() {
        let sampler = AuditSampler(percent: 10, seed: 20_141_001)
        let first = sampler.draw(Self.window).map(\.claimID)
        #expect(sampler.draw(Self.window.reversed()).map(\.claimID) == first)
        #expect(sampler.draw(Self.window.shuffled()).map(\.claimID) == first)
        #expect(AuditSampler(percent: 10, seed: 7).draw(Self.window).map(\.claimID) != first)
    }

    @Test func eachPaymentGivesItsShareRoundedUpAndAtLeastOne() {
        let drawn = AuditSampler(percent: 10, seed: 1).draw(Self.window)
        let payments = Dictionary(grouping: drawn, by: { pick in Self.window.first { $0.claimID == pick.claimID }!.payment })
        #expect(payments["attachment"]?.count == 4)
        #expect(payments["C"]?.count == 1)
        #expect(drawn.allSatisfy { $0.why.count == 1 && $0.why[0].hasPrefix("drawn from the") })
    }

    @Test func claimsThatCarryARiskAreTakenWhateverTheDraw() {
        var window = Self.window
        // A result measured six weeks after attachment.
        window[45].daysFromAttachment = 42
        // A family eligible on two national criteria and local discretion.
        window[10].metCriteria = ["crime", "work", "local"]
        // One keyworker holding most of the window's claims.
        for index in 15..<40 { window[index].keyworker = "kw-9" }
        let drawn = Dictionary(uniqueKeysWithValues: AuditSampler(percent: 1, seed: 3).draw(window).map { ($0.claimID, $0.why) })
        #expect(drawn[window[45].claimID]?.contains("risk: result C measured 42 days after attachment") == true)
        #expect(drawn[window[10].claimID]?.contains("risk: eligible on local discretion alone") == true)
        let keyworkerPicks = drawn.values.filter { $0.contains { $0.hasPrefix("risk: keyworker kw-9 holds 25 of the window's 50 claims") } }
        #expect(keyworkerPicks.count == 1)
        // Two agencies with half the claims each: neither is unusual.
        #expect(!drawn.values.joined().contains { $0.hasPrefix("risk: agency") })
    }
}
