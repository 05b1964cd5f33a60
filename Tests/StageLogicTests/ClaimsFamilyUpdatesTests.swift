import Contracts
import Foundation
import Rules
import StageLogic
import Store
import Testing
import Vocabulary

/// The claims stage's view of a family, folded from a batch's decisions and
/// attachments in memory (one read and one write a batch).
@Suite struct ClaimsFamilyUpdatesTests {
    let family = UUID()
    static let members = [
        FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1980-02-14")!),
        FamilyMember(id: "P2", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
        FamilyMember(id: "P3", dateOfBirth: CalendarDate(iso: "2003-09-10")!),
    ]

    /// A decision as screening makes it: with an adult on JSA, an offence and
    /// 20% unauthorised absence the family meets all three criteria; with no
    /// evidence, none.
    func decided(revision: Int?, eligible: Bool, on day: String, members: [FamilyMember] = members) throws -> ClaimsFamilyUpdates.Change {
        var records: [EvidenceRecord] = []
        var terms: [SchoolTerm] = []
        if eligible {
            records = [
                EvidenceRecord(id: "b", personID: "P1", fact: EvidenceFact.benefitSpell(benefit: "JSA", from: CalendarDate(iso: "2011-01-04")!, to: nil)),
                EvidenceRecord(id: "o", personID: "P2", fact: EvidenceFact.offence(date: CalendarDate(iso: "2013-03-10")!, proven: true)),
            ]
            terms = [
                SchoolTerm(id: "2012-AU", start: CalendarDate(iso: "2012-09-03")!, end: CalendarDate(iso: "2012-12-21")!),
                SchoolTerm(id: "2013-SP", start: CalendarDate(iso: "2013-01-07")!, end: CalendarDate(iso: "2013-03-28")!),
                SchoolTerm(id: "2013-SU", start: CalendarDate(iso: "2013-04-15")!, end: CalendarDate(iso: "2013-07-24")!),
            ]
            for child in ["P2", "P3"] {
                for term in terms {
                    records.append(
                        EvidenceRecord(
                            id: "\(child)-\(term.id)", personID: child,
                            fact: EvidenceFact.attendance(term: term, possibleSessions: 120, unauthorisedAbsences: 24, authorisedAbsences: 2)))
                }
            }
        }
        let decision = RulesEngine.eligibility(
            family: Family(id: family.uuidString.lowercased(), members: members), evidence: Evidence(records: records, terms: terms),
            asOf: try #require(CalendarDate(iso: day)), ruleset: try Ruleset.bundled("phase1-2012"))
        try #require(decision.isEligible == eligible)
        return .decided(
            EligibilityDecided(
                familyID: family, decisionID: UUID(), revision: revision, decision: EligibilityDecided.Decision(decision), members: members))
    }

    func attached(on day: String, by user: String = "coordinator-1") -> ClaimsFamilyUpdates.Change {
        .attached(
            FamilyAttached(familyID: family, attachedOn: CalendarDate(iso: day)!, keyworker: "kw-1", recordedBy: user, recordedAt: Date()))
    }

    func fold(_ changes: [ClaimsFamilyUpdates.Change], onto current: ClaimsFamilyRow? = nil) throws -> ClaimsFamilyRow {
        let rows = ClaimsFamilyUpdates.apply(changes, to: current.map { [family: $0] } ?? [:])
        return try #require(rows.first { $0.familyID == family })
    }

    @Test func theLatestRevisionStandsWhateverOrderTheBatchHoldsThemIn() throws {
        let first = try decided(revision: 1, eligible: false, on: "2013-09-01")
        let second = try decided(revision: 2, eligible: true, on: "2013-09-01")
        for order in [[first, second], [second, first]] {
            let row = try fold(order)
            #expect(row.decisionRevision == 2)
            #expect(row.isEligible == true)
            #expect(row.eligibleSince == "2013-09-01")
        }
    }

    @Test func decisionsSentWithoutARevisionAreOrderedByDay() throws {
        let row = try fold([try decided(revision: nil, eligible: true, on: "2013-09-02"), try decided(revision: nil, eligible: false, on: "2013-09-01")])
        #expect(row.isEligible == true)
        #expect(row.decidedOn == "2013-09-02")
    }

    @Test func eligibilityCountsAtEntryOnceAnEligibleFamilyIsAttached() throws {
        let eligible = try decided(revision: 1, eligible: true, on: "2013-09-01")
        guard case .decided(let counted) = eligible else { return }
        let fewer = Array(Self.members.prefix(2))
        let row = try fold([eligible, attached(on: "2013-09-16"), try decided(revision: 2, eligible: false, on: "2013-12-01", members: fewer)])
        #expect(row.isEligible == true)
        #expect(row.decisionID == counted.decisionID)
        #expect(row.decidedOn == "2013-09-01")
        #expect(row.eligibleSince == "2013-09-01")
        #expect(row.decisionRevision == 2)
        #expect(row.members == fewer)
    }

    @Test func aFamilyNoLongerEligibleBeforeAttachmentLosesItsEligibleDay() throws {
        var row = try fold([try decided(revision: 1, eligible: true, on: "2013-09-01"), try decided(revision: 2, eligible: false, on: "2013-10-01")])
        #expect(row.isEligible == false)
        #expect(row.eligibleSince == nil)
        row = try fold([try decided(revision: 3, eligible: true, on: "2013-11-01")], onto: row)
        #expect(row.eligibleSince == "2013-11-01")
        #expect(row.decisionRevision == 3)
    }

    @Test func theFirstAttachmentStandsAcrossBatches() throws {
        let row = try fold([attached(on: "2013-09-16", by: "coordinator-1"), attached(on: "2013-10-01", by: "coordinator-2")])
        #expect(row.attachedOn == "2013-09-16")
        #expect(row.attachedBy == "coordinator-1")
        #expect(row.isEligible == nil)
        #expect(ClaimsFamilyUpdates.apply([attached(on: "2013-11-01")], to: [family: row]).isEmpty)
    }

    func closed(on day: String, by user: String) -> ClaimsFamilyUpdates.Change {
        .closed(FamilyClosed(familyID: family, closedOn: CalendarDate(iso: day)!, recordedBy: user, recordedAt: Date()))
    }

    @Test func theFirstClosureStandsAcrossBatchesAndItsDayIsKept() throws {
        let row = try fold([attached(on: "2022-09-16"), closed(on: "2023-03-01", by: "coordinator-1"), closed(on: "2023-04-01", by: "coordinator-2")])
        #expect(row.closedOn == "2023-03-01")
        #expect(row.closedBy == "coordinator-1")
        #expect(row.attachedOn == "2022-09-16")
        #expect(ClaimsFamilyUpdates.apply([closed(on: "2023-05-01", by: "coordinator-3")], to: [family: row]).isEmpty)
    }

    @Test func onlyTheFamiliesAChangeAltersAreWritten() throws {
        let row = try fold([try decided(revision: 2, eligible: true, on: "2013-09-01")])
        #expect(ClaimsFamilyUpdates.apply([try decided(revision: 1, eligible: false, on: "2013-08-01")], to: [family: row]).isEmpty)
    }

    func merged(_ mergedFamily: UUID, into kept: UUID) -> ClaimsFamilyUpdates.Change {
        .merged(
            FamilyMerged(
                familyID: kept, mergedFamilyID: mergedFamily, relabelled: [.init(from: "P1", to: "P4")],
                members: Self.members + [FamilyMember(id: "P4", dateOfBirth: CalendarDate(iso: "1981-01-01")!)], mergedBy: "coordinator-1",
                mergedAt: Date()))
    }

    @Test func aMergedFamilyIsMarkedAndItsEarlierAttachmentCarriesOverToTheFamilyKept() throws {
        let kept = UUID()
        let mergedRow = try fold([attached(on: "2013-09-16", by: "coordinator-2")])
        let keptRow = ClaimsFamilyRow(familyID: kept, attachedOn: "2013-10-01", keyworker: "kw-9", attachedBy: "coordinator-3")
        let rows = ClaimsFamilyUpdates.apply([merged(family, into: kept)], to: [family: mergedRow, kept: keptRow])
        #expect(rows.count == 2)
        let mergedNow = try #require(rows.first { $0.familyID == family })
        let now = try #require(rows.first { $0.familyID == kept })
        #expect(mergedNow.mergedInto == kept)
        #expect(now.attachedOn == "2013-09-16" && now.keyworker == "kw-1" && now.attachedBy == "coordinator-2")
        // The family kept's own attachment stands when it came first.
        let earlier = ClaimsFamilyRow(familyID: kept, attachedOn: "2013-09-02", keyworker: "kw-9", attachedBy: "coordinator-3")
        let kepts = ClaimsFamilyUpdates.apply([merged(family, into: kept)], to: [family: mergedRow, kept: earlier])
        #expect(kepts.first { $0.familyID == kept } == nil)
        // Its closure carries over to a family kept with none, whichever was attached first; the kept family's own closure stands.
        let closedRow = try fold([attached(on: "2013-09-16", by: "coordinator-2"), closed(on: "2014-03-01", by: "coordinator-2")])
        for keptBefore in [keptRow, earlier] {
            let closedKept = ClaimsFamilyUpdates.apply([merged(family, into: kept)], to: [family: closedRow, kept: keptBefore])
            #expect(closedKept.first { $0.familyID == kept }?.closedOn == "2014-03-01")
        }
        var keptClosed = earlier
        keptClosed.closedOn = "2014-02-01"
        let keptOwn = ClaimsFamilyUpdates.apply([merged(family, into: kept)], to: [family: closedRow, kept: keptClosed])
        #expect(keptOwn.first { $0.familyID == kept } == nil)
    }

    @Test func aMergedFamilysDecisionsOnTheirWayChangeNothingAndAMergeIsRecordedOnce() throws {
        let kept = UUID()
        let mergedRow = try fold([try decided(revision: 1, eligible: false, on: "2013-09-01"), merged(family, into: kept)])
        #expect(mergedRow.mergedInto == kept)
        #expect(ClaimsFamilyUpdates.apply([try decided(revision: 2, eligible: true, on: "2013-09-02")], to: [family: mergedRow]).isEmpty)
        #expect(ClaimsFamilyUpdates.apply([merged(family, into: UUID())], to: [family: mergedRow]).filter { $0.familyID == family }.isEmpty)
    }
}
