import Contracts
import Foundation
import Rules
import StageLogic
import Store
import Testing
import Vocabulary

/// Intake's matching decided in memory, without servers.
@Suite struct HouseholdMatcherTests {
    static let address = Address(lines: ["12 Elm Street", "Leeds"], postcode: "LS1 1AA")
    static let now = Date(timeIntervalSince1970: 1_380_000_000)

    static func person(_ given: String, _ family: String = "Brennan", born: String = "1980-02-14", ref: String? = nil) -> ReferredPerson {
        ReferredPerson(ref: ref ?? given.lowercased(), givenName: given, familyName: family, dateOfBirth: CalendarDate(iso: born)!)
    }

    static func referral(_ id: String, agency: String = "police", _ members: [ReferredPerson], address: Address = address) -> HouseholdMatcher.Submission {
        .init(
            ReferralSubmitted(agency: agency, submittedAt: now, referral: Referral(id: id, address: address, members: members, reasons: ["youth offending"])))
    }

    static func evidence(_ id: String, about person: ReferredPerson) -> HouseholdMatcher.Submission {
        .init(
            EvidenceSubmitted(
                agency: "police", submittedAt: now,
                record: EvidenceReport(
                    id: id, subject: PersonIdentity(givenName: person.givenName, familyName: person.familyName, dateOfBirth: person.dateOfBirth),
                    fact: .offence(date: CalendarDate(iso: "2013-03-10")!, proven: true))))
    }

    static func accepted(_ plan: HouseholdMatcher.Plan) -> [ReferralAccepted] {
        plan.messages.compactMap { if case .accepted(let message) = $0 { message } else { nil } }
    }

    static func recorded(_ plan: HouseholdMatcher.Plan) -> [EvidenceRecorded] {
        plan.messages.compactMap { if case .recorded(let message) = $0 { message } else { nil } }
    }

    @Test func twoReferralsInOneBatchNamingOneNewPersonMakeOnePersonInOneFamily() {
        let kerry = Self.person("Kerry")
        let plan = HouseholdMatcher.plan(
            [Self.referral("R1", [kerry, Self.person("Chloe", born: "2003-09-10")]),
             Self.referral("R2", agency: "school", [Self.person("KERRY"), Self.person("Dylan", born: "1998-06-01")],
                           address: Address(lines: ["Flat 2"], postcode: "LS6 2AB"))],
            known: .init(), now: Self.now)
        #expect(plan.newFamilies.count == 1)
        #expect(plan.newPeople.map(\.person.memberLabel) == ["P1", "P2", "P3"])
        #expect(Set(plan.newPeople.map(\.person.identityKey)).count == 3)
        let accepted = Self.accepted(plan)
        #expect(accepted.count == 2 && accepted[0].familyID == accepted[1].familyID)
        #expect(accepted.map(\.isNewFamily) == [true, false])
        #expect(accepted[1].members.map(\.id) == ["P1", "P2", "P3"])
    }

    @Test func evidenceInTheBatchOfItsPersonsFirstReferralIsMatchedNotHeld() {
        let kerry = Self.person("Kerry")
        let plan = HouseholdMatcher.plan(
            [Self.evidence("OFF-1", about: kerry), Self.referral("R1", [kerry]), Self.evidence("OFF-2", about: kerry)],
            known: .init(), now: Self.now)
        #expect(plan.held.isEmpty)
        let recorded = Self.recorded(plan)
        #expect(recorded.map(\.evidenceID) == ["police/OFF-1", "police/OFF-2"])
        #expect(recorded.allSatisfy { $0.personID == "P1" && $0.familyID == Self.accepted(plan).first?.familyID })
    }

    @Test func evidenceAboutNobodyReferredIsHeldItsLatestCopyOnce() {
        let stranger = Self.person("Nobody", "Known")
        let plan = HouseholdMatcher.plan(
            [Self.evidence("OFF-1", about: stranger), Self.evidence("OFF-1", about: stranger)], known: .init(), now: Self.now)
        #expect(plan.messages.isEmpty)
        #expect(plan.held.map(\.recordID) == ["OFF-1"])
        #expect(plan.registered.isEmpty)
    }

    @Test func aReferralNamingSomeoneKnownJoinsTheirFamilyWithTheNextLabels() {
        let kerry = Self.person("Kerry")
        let family = UUID()
        var known = HouseholdMatcher.Known()
        known.people[kerry.identity.keyHash] = HouseholdTables.KnownPerson(identityKey: kerry.identity.keyHash, familyID: family, memberLabel: "P2")
        known.members[family] = [.init(label: "P1", dateOfBirth: "1979-01-01"), .init(label: "P2", dateOfBirth: "1980-02-14")]
        let plan = HouseholdMatcher.plan(
            [Self.referral("R9", [kerry, Self.person("Mia", born: "2010-03-15")], address: Address(lines: ["Elsewhere"], postcode: "LS2 1AA"))],
            known: known, now: Self.now)
        #expect(plan.newFamilies.isEmpty)
        #expect(plan.newPeople.map(\.person.memberLabel) == ["P3"])
        #expect(plan.newPeople.first?.familyID == family)
        #expect(Self.accepted(plan).first?.members.map(\.id) == ["P1", "P2", "P3"])
    }

    @Test func aReferralNamingNobodyKnownJoinsTheFamilyAtItsAddress() {
        let family = UUID()
        var known = HouseholdMatcher.Known()
        known.familyAtAddress[HouseholdMatcher.addressKey(Address(lines: ["12 elm street"], postcode: "ls11aa"))] = family
        let plan = HouseholdMatcher.plan([Self.referral("R1", [Self.person("Dawn", "Walsh")])], known: known, now: Self.now)
        #expect(plan.newFamilies.isEmpty)
        #expect(plan.newPeople.first?.familyID == family)
        #expect(Self.accepted(plan).first?.isNewFamily == false)
    }

    @Test func aReferralSentBeforeOrTwiceInTheBatchChangesNothing() {
        var known = HouseholdMatcher.Known()
        // R1 came before digests were kept; R3 came with the content it comes with again.
        let r3 = Self.referral("R3", [Self.person("Dawn", "Walsh")])
        guard case .referral(_, _, _, let r3Digest) = r3 else { preconditionFailure() }
        known.receivedReferrals = [
            ReferralTable.Key(agencyID: "police", referralID: "R1"): nil, ReferralTable.Key(agencyID: "police", referralID: "R3"): r3Digest,
        ]
        let plan = HouseholdMatcher.plan(
            [
                Self.referral("R1", [Self.person("Kerry")]), Self.referral("R2", [Self.person("Chloe")]), Self.referral("R2", [Self.person("Dylan")]),
                Self.referral("R2", [Self.person("Chloe")]), r3, Self.referral("R3", [Self.person("Dawn", "Walsh", born: "1981-01-01")]),
            ],
            known: known, now: Self.now)
        #expect(plan.referrals.map(\.referralID) == ["R2"])
        #expect(plan.newPeople.map(\.person.givenName) == ["Chloe"])
        #expect(plan.receipts.map(\.verdict) == [.repeated, .accepted, .conflicting, .repeated, .repeated, .conflicting])
        #expect(plan.receipts.map(\.itemID) == ["R1", "R2", "R2", "R2", "R3", "R3"])
    }

    @Test func eachSubmissionIsAnsweredHeldRecordsAsMatchedOnceABatchReferralNamesTheirPerson() {
        let kerry = Self.person("Kerry")
        let zoe = Self.person("Zoe", "Nobody")
        let plan = HouseholdMatcher.plan(
            [Self.evidence("OFF-1", about: kerry), Self.evidence("OFF-2", about: zoe), Self.referral("R1", [Self.person("Dylan"), kerry])],
            known: .init(), now: Self.now)
        #expect(plan.receipts.map(\.verdict) == [.accepted, .held, .accepted])
        #expect(plan.receipts.map(\.memberLabels) == [["P2"], [], ["P1", "P2"]])
        let family = plan.referrals[0].familyID
        #expect(plan.receipts.map(\.familyID) == [family, nil, family])
        #expect(plan.receipts[2].detail == "registered a new family")
    }

    @Test func aReferralNamingPeopleOfTwoFamiliesJoinsTheFirstAndPutsThePairOnTheReviewQueue() {
        let kerry = Self.person("Kerry")
        let dawn = Self.person("Dawn", "Walsh")
        var known = HouseholdMatcher.Known()
        let (first, second) = (UUID(), UUID())
        known.people[kerry.identity.keyHash] = .init(identityKey: kerry.identity.keyHash, familyID: first, memberLabel: "P1")
        known.people[dawn.identity.keyHash] = .init(identityKey: dawn.identity.keyHash, familyID: second, memberLabel: "P2")
        let plan = HouseholdMatcher.plan([Self.referral("R1", [kerry, dawn])], known: known, now: Self.now)
        #expect(plan.referrals.first?.familyID == first)
        #expect(plan.reviewItems.map(\.reason) == [.twoFamilies])
        #expect(plan.reviewItems.first?.familyID == first && plan.reviewItems.first?.otherFamilyID == second)
        #expect(plan.reviewItems.first?.detail == "the referral names members P1 of this family and P2 of the other; new people joined this family")
        #expect(plan.receipts.first?.detail.hasSuffix("put on the review queue: it may be a family intake already knows") == true)
    }

    /// Two referrals of a batch at two addresses, the second naming `second`:
    /// the review items their matching raises.
    static func itemsRaised(first: ReferredPerson, second: ReferredPerson) -> [ReviewItemTable.NewItem] {
        HouseholdMatcher.plan(
            [Self.referral("R1", [first]),
             Self.referral("R2", agency: "school", [second], address: Address(lines: ["Flat 2"], postcode: "LS6 2AB"))],
            known: .init(), now: Self.now
        ).reviewItems
    }

    @Test func namesALetterApartWithTheSameDateOfBirthArePutOnTheQueueNeverMerged() {
        let items = Self.itemsRaised(first: Self.person("Jon"), second: Self.person("John"))
        #expect(items.map(\.reason) == [.nearMatch])
        #expect(items.first?.detail == "new member P1 of this family and member P1 of the other: names 1 letter apart, the same date of birth")
        #expect(Self.itemsRaised(first: Self.person("Kerry", "Brennan"), second: Self.person("Kerry", "Brenan")).count == 1)
        #expect(Self.itemsRaised(first: Self.person("Zoë", "O'Brien"), second: Self.person("Zoe", "OBrian")).count == 1)
    }

    @Test func dayAndMonthOfBirthSwappedArePutOnTheQueue() {
        let items = Self.itemsRaised(first: Self.person("Kerry", born: "1980-02-07"), second: Self.person("Kerry", born: "1980-07-02"))
        #expect(items.map(\.detail) == ["new member P1 of this family and member P1 of the other: the same names, day and month of birth swapped"])
    }

    @Test func theSameDateOfBirthAndAddressUnderOtherNamesIsPutOnTheQueueWhenTheFamiliesDiffer() {
        let dawn = Self.person("Dawn", "Walsh", born: "1975-01-01")
        var known = HouseholdMatcher.Known()
        let dawnsFamily = UUID()
        known.people[dawn.identity.keyHash] = .init(identityKey: dawn.identity.keyHash, familyID: dawnsFamily, memberLabel: "P1")
        known.members[dawnsFamily] = [.init(label: "P1", dateOfBirth: "1975-01-01")]
        // Kerry registers a family at the address; a referral naming Dawn (known elsewhere) and Kelly, born the day Kerry was, joins Dawn's.
        let plan = HouseholdMatcher.plan(
            [Self.referral("R1", [Self.person("Kerry")]), Self.referral("R2", [dawn, Self.person("Kelly", "Smith")])], known: known, now: Self.now)
        #expect(plan.reviewItems.map(\.detail) == ["new member P2 of this family and member P1 of the other: the same date of birth and address, other names"])
        #expect(plan.reviewItems.first?.familyID == dawnsFamily)
    }

    @Test func otherPeopleAndPeopleOfOneFamilyRaiseNothing() {
        // Other names entirely, the same date of birth, other addresses.
        #expect(Self.itemsRaised(first: Self.person("Kerry"), second: Self.person("Dylan", "Walsh")).isEmpty)
        // Short names a third apart are other names: Al is not Ed.
        #expect(Self.itemsRaised(first: Self.person("Al"), second: Self.person("Ed")).isEmpty)
        // A day and month swapped with other names.
        #expect(Self.itemsRaised(first: Self.person("Kerry", born: "1980-02-07"), second: Self.person("Dylan", born: "1980-07-02")).isEmpty)
        // Twins at one address: one family, nothing to ask.
        let twins = HouseholdMatcher.plan(
            [Self.referral("R1", [Self.person("Jon", born: "2004-05-06")]), Self.referral("R2", [Self.person("Jan", born: "2004-05-06")])],
            known: .init(), now: Self.now)
        #expect(twins.newFamilies.count == 1 && twins.reviewItems.isEmpty)
        // The same person exactly is matched, not asked about.
        #expect(Self.itemsRaised(first: Self.person("Kerry"), second: Self.person("KERRY")).isEmpty)
    }

    @Test func aPairOfFamiliesIsAskedAboutOnceABatch() {
        let plan = HouseholdMatcher.plan(
            [Self.referral("R1", [Self.person("Jon"), Self.person("Kerry", born: "1981-03-03")]),
             Self.referral("R2", agency: "school", [Self.person("John"), Self.person("Kery", born: "1981-03-03")],
                           address: Address(lines: ["Flat 2"], postcode: "LS6 2AB"))],
            known: .init(), now: Self.now)
        #expect(plan.reviewItems.count == 1)
    }

    @Test func aCorrectionNamingSomeoneElseMovesAWaitingRecordAndTheLatestCopyIsHeld() {
        let kerry = Self.person("Kerry")
        let zoe = Self.person("Zoe", "Nobody")
        // OFF-1 first about Kerry, then corrected to be about Zoe: Kerry's referral releases nothing.
        let moved = HouseholdMatcher.plan(
            [Self.evidence("OFF-1", about: kerry), Self.evidence("OFF-1", about: zoe), Self.referral("R1", [kerry])],
            known: .init(), now: Self.now)
        #expect(Self.recorded(moved).isEmpty)
        #expect(moved.held.map(\.recordID) == ["OFF-1"])
        #expect(moved.held.first?.identityKey == zoe.identity.keyHash)
        // Several copies waiting: each record is held once, as its latest copy says.
        let latest = HouseholdMatcher.plan(
            [Self.evidence("OFF-2", about: zoe), Self.evidence("OFF-1", about: kerry), Self.evidence("OFF-1", about: zoe)],
            known: .init(), now: Self.now)
        #expect(latest.held.map(\.recordID) == ["OFF-2", "OFF-1"])
        #expect(latest.held.allSatisfy { $0.identityKey == zoe.identity.keyHash })
        #expect(latest.batchRecords.map(\.recordID).sorted() == ["OFF-1", "OFF-2"])
    }
}
