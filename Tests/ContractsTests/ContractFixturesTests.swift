import Contracts
import Foundation
import Testing
import Vocabulary

/// Every version of every message as it was first written, kept as files:
/// each still reads as the same value, and that value is still written as
/// the same JSON. A change that breaks either needs a new version.
@Suite struct ContractFixturesTests {
    static let familyID = UUID(uuidString: "3A38339F-CFBF-4C1A-A309-0888E132719A")!
    static let members = [
        FamilyMember(id: "P1", dateOfBirth: date("1980-02-14")), FamilyMember(id: "P2", dateOfBirth: date("1998-06-01")),
    ]
    static let dylan = PersonIdentity(givenName: "Dylan", familyName: "Brennan", dateOfBirth: date("1998-06-01"))
    static let offence = EvidenceFact.offence(date: date("2013-03-10"), proven: true)

    static func date(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    static func time(_ seconds: TimeInterval) -> Date { Date(timeIntervalSince1970: seconds) }

    static let decision = EligibilityDecided.Decision(
        familyID: "3a38339f-cfbf-4c1a-a309-0888e132719a", decidedOn: date("2013-09-01"), rulesetID: "phase1-2012", rulesetVersion: "1.0.0",
        rulesetHash: "9c1f0e", isEligible: false,
        criteria: [
            EligibilityDecided.Criterion(
                id: "crime", name: "Crime and anti-social behaviour", isMet: true,
                findings: [
                    EligibilityDecided.Finding(
                        isMet: true, personID: "P2", evidenceIDs: ["police/OFF-1001"],
                        text: "Child P2: proven offence on 2013-03-10 at age 14 (police/OFF-1001), within the 12 months since 2012-09-01")
                ]),
            EligibilityDecided.Criterion(
                id: "education", name: "Education", isMet: false,
                findings: [
                    EligibilityDecided.Finding(
                        isMet: false, personID: nil, evidenceIDs: [], text: "No attendance recorded for terms 2012-AU, 2013-SP, 2013-SU")
                ]),
        ],
        summary: "Not eligible under phase1-2012 1.0.0: meets 1 of the criteria (crime)")

    @Test func referralSubmittedVersion1() throws {
        try Self.pinned(
            "referral.submitted.v1",
            ReferralSubmitted(
                agency: "police", submittedAt: Self.time(1_700_000_000),
                referral: Referral(
                    id: "WYP-1", address: Address(lines: ["12 Elm Street", "Leeds"], postcode: "LS1 1AA"),
                    members: [
                        ReferredPerson(ref: "mother", givenName: "Kerry", familyName: "Brennan", dateOfBirth: Self.date("1980-02-14")),
                        ReferredPerson(ref: "son", givenName: "Dylan", familyName: "Brennan", dateOfBirth: Self.date("1998-06-01")),
                    ],
                    reasons: ["youth offending"])))
    }

    @Test func evidenceSubmittedVersion1() throws {
        try Self.pinned(
            "evidence.submitted.v1",
            EvidenceSubmitted(
                agency: "police", submittedAt: Self.time(1_700_000_000),
                record: EvidenceReport(id: "OFF-1001", subject: Self.dylan, fact: Self.offence)))
    }

    @Test func referralAcceptedVersion1() throws {
        try Self.pinned(
            "referral.accepted.v1",
            ReferralAccepted(
                familyID: Self.familyID, agency: "police", referralID: "WYP-1", acceptedAt: Self.time(1_700_000_001), members: Self.members,
                isNewFamily: true, reasons: ["youth offending"]))
    }

    @Test func evidenceRecordedVersion1() throws {
        try Self.pinned(
            "evidence.recorded.v1",
            EvidenceRecorded(
                familyID: Self.familyID, evidenceID: "police/OFF-1001", personID: "P2", fact: Self.offence, recordedAt: Self.time(1_700_000_002)))
    }

    @Test func eligibilityDecidedVersion1WithAndWithoutRevisions() throws {
        let decided = EligibilityDecided(
            familyID: Self.familyID, decisionID: UUID(uuidString: "0D1B8E7A-52C4-4F0B-9E3A-6A1F7C2B9D10")!, revision: 2,
            decision: Self.decision, members: Self.members)
        try Self.pinned("eligibility.decided.v1", decided)
        var beforeRevisions = decided
        beforeRevisions.revision = nil
        try Self.pinned("eligibility.decided.v1-before-revisions", beforeRevisions)
    }

    /// Version 1, no longer written, still reads: an attachment the screening allowed.
    @Test func familyAttachedVersion1() throws {
        let expected = FamilyAttached(
            familyID: Self.familyID, attachedOn: Self.date("2013-09-16"), keyworker: "kw-017", recordedBy: "coordinator-1",
            recordedAt: Self.time(1_700_000_003))
        #expect(try FamilyAttached.decode(try Self.fixture("family.attached.v1")) == expected)
    }

    @Test func familyAttachedVersion2() throws {
        try Self.pinned(
            "family.attached.v2",
            FamilyAttached(
                familyID: Self.familyID, attachedOn: Self.date("2013-09-16"), keyworker: "kw-017", recordedBy: "coordinator-1",
                recordedAt: Self.time(1_700_000_003), discretion: "case conference on 12 Sep 2013"))
    }

    @Test func familyClosedVersion1() throws {
        try Self.pinned(
            "family.closed.v1",
            FamilyClosed(
                familyID: Self.familyID, closedOn: Self.date("2023-03-01"), recordedBy: "coordinator-1", recordedAt: Self.time(1_700_000_005),
                reason: "stepped down to early help"))
    }

    @Test func familyMergedVersion1() throws {
        try Self.pinned(
            "family.merged.v1",
            FamilyMerged(
                familyID: Self.familyID, mergedFamilyID: UUID(uuidString: "8C1B2F4E-1D2A-4B8E-9F3A-2C4D5E6F7A8B")!,
                relabelled: [.init(from: "P1", to: "P2")], members: Self.members, mergedBy: "coordinator-1", mergedAt: Self.time(1_700_000_004)))
    }

    @Test func receiptsIssuedVersion1() throws {
        try Self.pinned(
            "receipts.issued.v1",
            ReceiptsIssued(
                agency: "police",
                receipts: [
                    Receipt(
                        agency: "police", eventID: "5c0e3f1a-8a3b-4a55-9d0e-7b2f4c1d9e01", kind: .referral, itemID: "WYP-2013-0412", verdict: .accepted,
                        familyID: Self.familyID, memberLabels: ["P1", "P2"], detail: "registered a new family", issuedAt: Self.time(1_700_000_000)),
                    Receipt(
                        agency: "police", eventID: "5c0e3f1a-8a3b-4a55-9d0e-7b2f4c1d9e02", kind: nil, itemID: nil, verdict: .refused,
                        detail: "referral.reasons[0]: is not a referral reason", issuedAt: Self.time(1_700_000_000)),
                ]))
    }

    /// The facts both evidence messages carry, every kind of them.
    @Test func everyKindOfEvidenceFactVersion1() throws {
        let term = SchoolTerm(id: "2012-AU", start: Self.date("2012-09-03"), end: Self.date("2012-12-20"))
        let facts: [EvidenceFact] = [
            Self.offence,
            .asbIntervention(type: "ASB injunction", date: Self.date("2013-05-01")),
            .attendance(term: term, possibleSessions: 140, unauthorisedAbsences: 28, authorisedAbsences: 4),
            .exclusion(permanent: false, date: Self.date("2013-01-15")),
            .alternativeProvision(date: Self.date("2013-02-01")),
            .notOnRoll(date: Self.date("2013-04-01")),
            .benefitSpell(benefit: "JSA", from: Self.date("2011-01-04"), to: nil),
            .benefitSpell(benefit: "ESA", from: Self.date("2010-06-01"), to: Self.date("2011-01-03")),
            .employmentSpell(from: Self.date("2014-01-06"), to: nil),
            .workProvision(provision: "Work Programme", date: Self.date("2013-10-01")),
            .indicator(name: "child-in-need", date: Self.date("2013-06-30")),
            .custody(from: Self.date("2012-11-01"), expectedRelease: Self.date("2014-02-28")),
            .courtOrder(order: .communityOrder, from: Self.date("2013-01-10"), to: Self.date("2014-01-09")),
            .notInEducationEmploymentOrTraining(from: Self.date("2013-07-01"), to: nil),
            .missingEducation(from: Self.date("2013-03-01"), to: Self.date("2013-05-24")),
        ]
        let file = try Self.fixture("evidence-facts.v1")
        #expect(try ContractJSON.read([EvidenceFact].self, from: file) == facts)
        try Self.expectSameJSON(Array(ContractJSON.encode(facts).utf8), file)
    }

    /// The fixture reads as `expected`, and `expected` is written as the fixture.
    static func pinned<Message: Contract & Equatable>(_ name: String, _ expected: Message) throws {
        let file = try fixture(name)
        #expect(try Message.decode(file) == expected, "\(name) no longer reads as it did")
        try expectSameJSON(expected.encoded(), file)
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// The same JSON value: the same keys and values, whatever the layout.
    static func expectSameJSON(_ written: [UInt8], _ fixture: [UInt8]) throws {
        func canonical(_ bytes: [UInt8]) throws -> String {
            let value = try JSONSerialization.jsonObject(with: Data(bytes))
            return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try canonical(written) == canonical(fixture))
    }
}
