import Contracts
import Digest
import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// Intake's matching, a batch at a time: reads what intake holds about the
/// batch's people, addresses and referral ids in one query each
/// (``Known/load(for:on:)``), decides every match in memory in the batch's
/// order (``plan(_:known:now:)``), and writes each table once
/// (``write(_:on:)``).
///
/// The same person (folded names and date of birth) is one person wherever
/// they are named; a referral naming nobody known joins the family most
/// recently registered at its address, or makes a new one. What the batch
/// itself registers counts at once: two referrals naming one new person make
/// one person, and evidence about a person a referral of the batch names is
/// matched, never held.
///
/// What is not exact is never merged: a referral naming people of two
/// families, or someone who may be a person known in another family
/// (``NearMatch``), raises an item on the review queue for a co-ordinator.
public enum HouseholdMatcher {
    /// An agency's message, as matching takes it (signature checked), with
    /// the keys it is matched by, computed once.
    public enum Submission: Sendable {
        /// A referral, the identity key of each member in order, its address
        /// key, and a digest of what it holds (the same id sent again with
        /// the same content is a repeat, with other content a conflict).
        case referral(ReferralSubmitted, memberKeys: [String], addressKey: String, contentDigest: String)
        /// An evidence record and its subject's identity key.
        case evidence(EvidenceSubmitted, subjectKey: String)

        public init(_ message: ReferralSubmitted) {
            self = .referral(
                message, memberKeys: message.referral.members.map(\.identity.keyHash), addressKey: HouseholdMatcher.addressKey(message.referral.address),
                contentDigest: SHA256.hex(Array(ContractJSON.encode(message.referral).utf8)))
        }

        public init(_ message: EvidenceSubmitted) {
            self = .evidence(message, subjectKey: message.record.subject.keyHash)
        }

        /// The agency that sent it.
        public var agency: String {
            switch self {
            case .referral(let message, _, _, _): message.agency
            case .evidence(let message, _): message.agency
            }
        }
    }

    /// What intake holds about a batch, read before matching.
    public struct Known: Sendable {
        /// Referrals received before, with the digest of what each held.
        public var receivedReferrals: [ReferralTable.Key: String?] = [:]
        /// The people the batch names that intake knows, by identity key.
        public var people: [String: HouseholdTables.KnownPerson] = [:]
        /// The family most recently registered at each address the batch names.
        public var familyAtAddress: [String: UUID] = [:]
        /// The members of every family those people and addresses lead to.
        public var members: [UUID: [HouseholdTables.Member]] = [:]
        /// Everyone born on the day someone new the batch names was, or on
        /// that day with day and month swapped: who they may nearly match.
        var bornOn: [String: [NearMatch.Person]] = [:]

        public init() {}

        /// Reads it, one query per table.
        public static func load(for submissions: [Submission], on connection: PostgresConnection) throws -> Known {
            var referralKeys: [ReferralTable.Key] = []
            var identityKeys: [String] = []
            var addressKeys: [String] = []
            for submission in submissions {
                switch submission {
                case .referral(let message, let memberKeys, let addressKey, _):
                    referralKeys.append(ReferralTable.Key(agencyID: message.agency, referralID: message.referral.id))
                    identityKeys += memberKeys
                    addressKeys.append(addressKey)
                case .evidence(_, let subjectKey):
                    identityKeys.append(subjectKey)
                }
            }
            var known = Known()
            known.receivedReferrals = try ReferralTable.received(referralKeys, on: connection)
            for person in try HouseholdTables.people(withIdentityKeys: identityKeys, on: connection) {
                known.people[person.identityKey] = person
            }
            var days: Set<String> = []
            for case .referral(let message, let memberKeys, _, _) in submissions {
                for (member, key) in zip(message.referral.members, memberKeys) where known.people[key] == nil {
                    days.formUnion(NearMatch.birthdays(toCompareWith: member.dateOfBirth.description))
                }
            }
            for candidate in try HouseholdTables.people(bornOn: days.sorted(), on: connection) {
                known.bornOn[candidate.dateOfBirth, default: []].append(NearMatch.Person(candidate))
            }
            known.familyAtAddress = try HouseholdTables.latestFamilies(atAddresses: addressKeys, on: connection)
            let families = Set(known.people.values.map(\.familyID)).union(known.familyAtAddress.values)
            known.members = try HouseholdTables.members(of: Array(families), on: connection)
            return known
        }
    }

    /// Everything a batch writes and sends, decided in memory.
    public struct Plan: Sendable {
        public var newFamilies: [HouseholdTables.NewFamily] = []
        public var newPeople: [(familyID: UUID, person: HouseholdTables.NewPerson)] = []
        public var referrals: [ReferralTable.Row] = []
        /// Evidence about people no referral names yet, the latest of each record.
        public var held: [HeldEvidenceRow] = []
        /// The messages to send, in the batch's order.
        public var messages: [Outgoing] = []
        /// The verdict on each submission, in the batch's order (no event
        /// ids: the stage knows them).
        public var receipts: [Receipt] = []
        /// Every evidence record the batch carries: its copy is newer than one held before.
        public var batchRecords: Set<EvidenceRecordKey> = []
        /// Possible matches for a co-ordinator, one per pair of families.
        public var reviewItems: [ReviewItemTable.NewItem] = []

        /// The people this batch registers, by identity key: evidence held
        /// for them before this batch is released to them.
        public var registered: [String: HouseholdTables.KnownPerson] {
            Dictionary(uniqueKeysWithValues: newPeople.map {
                ($0.person.identityKey, HouseholdTables.KnownPerson(identityKey: $0.person.identityKey, familyID: $0.familyID, memberLabel: $0.person.memberLabel))
            })
        }
    }

    /// An agency's evidence record: the agency and its id in the agency's feed.
    public struct EvidenceRecordKey: Sendable, Hashable {
        public var agencyID: String
        public var recordID: String
    }

    /// A message for the stages downstream.
    public enum Outgoing: Sendable {
        case accepted(ReferralAccepted)
        case recorded(EvidenceRecorded)
    }

    static let heldDetail = "no referral names its person yet; it is matched when one does"

    /// Matches a batch in memory, in its order.
    public static func plan(_ submissions: [Submission], known: Known, now: Date) -> Plan {
        var plan = Plan()
        var people = known.people
        var familyAtAddress = known.familyAtAddress
        var members = known.members
        var received = known.receivedReferrals
        var bornOn = known.bornOn
        var pairsForReview: Set<Set<UUID>> = []
        // Evidence about people nobody named yet, the latest copy of each
        // record (a correction can name someone else), until a referral of
        // this batch names its person; `waitingFor` finds a person's records.
        // `receipt` is the index of the copy's receipt, answered when it is matched.
        var waiting: [EvidenceRecordKey: (identityKey: String, message: EvidenceSubmitted, receipt: Int)] = [:]
        var waitingOrder: [EvidenceRecordKey] = []
        var waitingFor: [String: [EvidenceRecordKey]] = [:]

        func recorded(_ message: EvidenceSubmitted, to person: HouseholdTables.KnownPerson) -> EvidenceRecorded {
            Self.recorded(agency: message.agency, recordID: message.record.id, fact: message.record.fact, about: person, at: now)
        }

        func receipt(
            _ agency: String, _ kind: Receipt.Kind, _ itemID: String, _ verdict: Receipt.Verdict, family: UUID? = nil,
            members: [String] = [], _ detail: String
        ) -> Receipt {
            Receipt(
                agency: agency, eventID: nil, kind: kind, itemID: itemID, verdict: verdict, familyID: family, memberLabels: members, detail: detail,
                issuedAt: now)
        }

        for submission in submissions {
            switch submission {
            case .evidence(let message, let identityKey):
                let record = EvidenceRecordKey(agencyID: message.agency, recordID: message.record.id)
                plan.batchRecords.insert(record)
                if let person = people[identityKey] {
                    // A later copy about someone known supersedes a waiting one.
                    waiting[record] = nil
                    plan.messages.append(.recorded(recorded(message, to: person)))
                    plan.receipts.append(
                        receipt(message.agency, .evidence, record.recordID, .accepted, family: person.familyID, members: [person.memberLabel],
                                "matched to member \(person.memberLabel) of the family"))
                } else {
                    if waiting[record] == nil { waitingOrder.append(record) }
                    waiting[record] = (identityKey, message, plan.receipts.count)
                    waitingFor[identityKey, default: []].append(record)
                    plan.receipts.append(receipt(message.agency, .evidence, record.recordID, .held, Self.heldDetail))
                }

            case .referral(let message, let identityKeys, let addressKey, let contentDigest):
                let referral = message.referral
                let key = ReferralTable.Key(agencyID: message.agency, referralID: referral.id)
                if let earlier = received[key] {
                    plan.receipts.append(
                        earlier == nil || earlier == contentDigest
                            ? receipt(message.agency, .referral, referral.id, .repeated, "received before with the same content: nothing changed")
                            : receipt(
                                message.agency, .referral, referral.id, .conflicting,
                                "received before with other content: nothing changed; the referral first received stands"))
                    continue
                }
                received[key] = contentDigest
                let knownFamilies = identityKeys.compactMap { people[$0]?.familyID }.uniqued()
                let familyID: UUID
                var isNewFamily = false
                if let first = knownFamilies.first {
                    familyID = first
                } else if let atAddress = familyAtAddress[addressKey] {
                    familyID = atAddress
                } else {
                    familyID = UUID()
                    isNewFamily = true
                    familyAtAddress[addressKey] = familyID
                    plan.newFamilies.append(
                        HouseholdTables.NewFamily(
                            familyID: familyID, addressLines: referral.address.lines, postcode: referral.address.postcode,
                            addressKey: addressKey))
                }

                var forReview: [ReviewItemTable.NewItem] = []
                func raise(_ reason: ReviewItemTable.Reason, with other: UUID, _ detail: String) {
                    guard pairsForReview.insert([familyID, other]).inserted else { return }
                    forReview.append(
                        ReviewItemTable.NewItem(
                            reason: reason, familyID: familyID, otherFamilyID: other, agencyID: message.agency, referralID: referral.id, detail: detail))
                }
                for other in knownFamilies.dropFirst() {
                    let labels = { (family: UUID) in
                        identityKeys.compactMap { people[$0] }.filter { $0.familyID == family }.map(\.memberLabel).joined(separator: ", ")
                    }
                    raise(
                        .twoFamilies, with: other,
                        "the referral names members \(labels(familyID)) of this family and \(labels(other)) of the other; new people joined this family")
                }
                var labels = MemberLabels(existing: (members[familyID] ?? []).map(\.label))
                var released: [EvidenceRecorded] = []
                for (person, identityKey) in zip(referral.members, identityKeys) where people[identityKey] == nil {
                    let newPerson = HouseholdTables.NewPerson(
                        memberLabel: labels.next(), givenName: person.givenName, familyName: person.familyName,
                        dateOfBirth: person.dateOfBirth.description, identityKey: identityKey)
                    let compared = NearMatch.Person(
                        familyID: familyID, memberLabel: newPerson.memberLabel, givenName: PersonIdentity.fold(person.givenName),
                        familyName: PersonIdentity.fold(person.familyName), dateOfBirth: newPerson.dateOfBirth, addressKey: addressKey)
                    let days = NearMatch.birthdays(toCompareWith: newPerson.dateOfBirth)
                    for candidate in days.flatMap({ bornOn[$0] ?? [] }) where candidate.familyID != familyID {
                        if let match = NearMatch.compare(compared, with: candidate) {
                            raise(
                                .nearMatch, with: candidate.familyID,
                                "new member \(newPerson.memberLabel) of this family and member \(candidate.memberLabel) of the other: \(match.description)")
                        }
                    }
                    bornOn[newPerson.dateOfBirth, default: []].append(compared)
                    let registered = HouseholdTables.KnownPerson(identityKey: identityKey, familyID: familyID, memberLabel: newPerson.memberLabel)
                    people[identityKey] = registered
                    members[familyID, default: []].append(HouseholdTables.Member(label: newPerson.memberLabel, dateOfBirth: newPerson.dateOfBirth))
                    plan.newPeople.append((familyID, newPerson))
                    for record in waitingFor.removeValue(forKey: identityKey) ?? [] where waiting[record]?.identityKey == identityKey {
                        let held = waiting.removeValue(forKey: record)!
                        released.append(recorded(held.message, to: registered))
                        plan.receipts[held.receipt] = receipt(
                            held.message.agency, .evidence, record.recordID, .accepted, family: familyID, members: [registered.memberLabel],
                            "matched to member \(registered.memberLabel) of the family")
                    }
                }
                plan.referrals.append(
                    ReferralTable.Row(
                        agencyID: message.agency, referralID: referral.id, familyID: familyID, reasons: referral.reasons,
                        submittedAt: message.submittedAt, contentDigest: contentDigest))
                plan.reviewItems += forReview
                let how =
                    isNewFamily
                    ? "registered a new family" : knownFamilies.isEmpty ? "joined the family at its address" : "joined the family of people it names"
                plan.receipts.append(
                    receipt(
                        message.agency, .referral, referral.id, .accepted, family: familyID, members: identityKeys.compactMap { people[$0]?.memberLabel },
                        how + (forReview.isEmpty ? "" : "; put on the review queue: it may be a family intake already knows")))
                let familyMembers = (members[familyID] ?? []).sorted { $0.label < $1.label }.map {
                    FamilyMember(id: $0.label, dateOfBirth: CalendarDate(iso: $0.dateOfBirth)!)
                }
                plan.messages.append(
                    .accepted(
                        ReferralAccepted(
                            familyID: familyID, agency: message.agency, referralID: referral.id, acceptedAt: now, members: familyMembers,
                            isNewFamily: isNewFamily, reasons: referral.reasons)))
                plan.messages += released.map(Outgoing.recorded)
            }
        }

        // What still waits is held: the latest copy of each record.
        plan.held = waitingOrder.compactMap { record in
            waiting.removeValue(forKey: record).map { identityKey, message, _ in
                HeldEvidenceRow(agencyID: message.agency, recordID: message.record.id, identityKey: identityKey, fact: message.record.fact)
            }
        }
        return plan
    }

    /// Writes a plan, one statement per table, and releases the evidence
    /// held before this batch for the people it registers.
    /// - Returns: the released evidence, to send after the plan's messages,
    ///   each with its receipt for the agency that sent it.
    public static func write(_ plan: Plan, now: Date, on connection: PostgresConnection) throws -> [(recorded: EvidenceRecorded, receipt: Receipt)] {
        try HouseholdTables.create(plan.newFamilies, on: connection)
        try HouseholdTables.add(plan.newPeople, on: connection)
        try ReferralTable.insert(plan.referrals, on: connection)
        try ReviewItemTable.raise(plan.reviewItems, at: now, on: connection)
        let registered = plan.registered
        let released = try UnmatchedEvidenceTable.release(identityKeys: Array(registered.keys), as: EvidenceFact.self, on: connection)
        try UnmatchedEvidenceTable.hold(plan.held, on: connection)
        // A record the batch itself carries was sent or held in its newer copy.
        let superseded = plan.batchRecords
        return released.filter { !superseded.contains(EvidenceRecordKey(agencyID: $0.agencyID, recordID: $0.recordID)) }.map { row in
            let person = registered[row.identityKey]!
            return (
                Self.recorded(agency: row.agencyID, recordID: row.recordID, fact: row.fact, about: person, at: now),
                Receipt(
                    agency: row.agencyID, eventID: nil, kind: .evidence, itemID: row.recordID, verdict: .released, familyID: person.familyID,
                    memberLabels: [person.memberLabel], detail: "held until now: matched to member \(person.memberLabel) once a referral named them",
                    issuedAt: now)
            )
        }
    }

    /// An agency's record, matched to its person, as screening and claims
    /// read it: the evidence id is the agency's and the record's id.
    static func recorded(
        agency: String, recordID: String, fact: EvidenceFact, about person: HouseholdTables.KnownPerson, at now: Date
    ) -> EvidenceRecorded {
        EvidenceRecorded(
            familyID: person.familyID, evidenceID: agency + "/" + recordID, personID: person.memberLabel, fact: fact, recordedAt: now)
    }

    /// The locks matching needs, taken once per batch in the batch's
    /// transaction before it reads: first the people and addresses the batch
    /// names (so two batches naming a new person make one record) and its
    /// referral ids (so a referral sent twice is registered once), then the
    /// families they already belong to (so people joining one family get
    /// distinct labels). Each set in one global order, and no batch takes a
    /// key after a family, so batches wait for each other and never
    /// deadlock. A family a batch creates needs no lock: only the keys it was
    /// found by lead to it.
    public static func lock(_ submissions: [Submission], on connection: PostgresConnection) throws {
        var identityKeys: [String] = []
        var addressKeys: [String] = []
        var referralKeys: [String] = []
        for submission in submissions {
            switch submission {
            case .referral(let message, let memberKeys, let addressKey, _):
                identityKeys += memberKeys
                addressKeys.append(addressKey)
                referralKeys.append("referral/" + message.agency + "/" + message.referral.id)
            case .evidence(_, let subjectKey):
                identityKeys.append(subjectKey)
            }
        }
        try AdvisoryLocks.intakeMatching.lock(identityKeys + addressKeys + referralKeys, on: connection)
        let families = try HouseholdTables.people(withIdentityKeys: identityKeys, on: connection).map(\.familyID)
            + HouseholdTables.families(atAddresses: addressKeys, on: connection)
        try AdvisoryLocks.intakeFamilies.lock(families.map(\.uuidString), on: connection)
    }

    /// A household's key: the folded postcode and first address line.
    public static func addressKey(_ address: Address) -> String {
        let postcode = address.postcode.uppercased().filter { !$0.isWhitespace }
        let firstLine = (address.lines.first ?? "").lowercased().filter { $0.isLetter || $0.isNumber }
        return SHA256.hex(Array((postcode + "|" + firstLine).utf8))
    }
}

/// Pseudonymous labels within a family, `P1`, `P2`, …, in the order intake
/// met the people, never reused. They say nothing of age: a child referred
/// today is an adult before the family's results are measured.
struct MemberLabels {
    private var highest: Int

    init(existing: [String]) {
        highest = existing.compactMap { Int($0.dropFirst()) }.max() ?? 0
    }

    mutating func next() -> String {
        highest += 1
        return "P\(highest)"
    }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
