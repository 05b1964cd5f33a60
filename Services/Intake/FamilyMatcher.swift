import Contracts
import Digest
import Foundation
import Postgres
import Rules
import Store
import WorkerRuntime

/// Finds the family a referral or an evidence record is about, in the
/// batch's transaction: the same person (folded names and date of birth)
/// is one person wherever they are named, and a referral naming nobody known
/// joins the family registered at its address.
///
/// Matching reads and writes what ``lock(_:on:)`` locked for the whole
/// batch first; nothing is locked event by event.
struct FamilyMatcher {
    let connection: PostgresConnection
    private(set) var repeatedReferrals: [(agency: String, id: String)] = []

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    struct ReferralOutcome {
        var accepted: ReferralAccepted
        /// Evidence that waited for people this referral named first.
        var releasedEvidence: [EvidenceRecorded]
    }

    /// Registers a referral: matches or creates its family, adds the people
    /// not known yet, and releases the evidence that waited for them.
    /// - Returns: nil when the agency sent this referral before.
    mutating func accept(_ message: ReferralSubmitted) throws -> ReferralOutcome? {
        let referral = message.referral
        if try ReferralTable.received(agencyID: message.agency, referralID: referral.id, on: connection) != nil {
            repeatedReferrals.append((message.agency, referral.id))
            return nil
        }
        let identityKeys = referral.members.map(\.identity.keyHash)
        if let repeated = Self.firstRepeat(in: identityKeys) {
            throw Rejection("referral.members[\(repeated.later)]: is the same person as referral.members[\(repeated.earlier)]")
        }
        let addressKey = Self.addressKey(referral.address)

        let known = try HouseholdTables.people(withIdentityKeys: identityKeys, on: connection)
        let knownFamilies = identityKeys.compactMap { key in known.first { $0.identityKey == key }?.familyID }.uniqued()
        var reviewNote: String?
        let familyID: UUID
        var isNewFamily = false
        if let first = knownFamilies.first {
            familyID = first
            if knownFamilies.count > 1 {
                reviewNote = "names people already in \(knownFamilies.count) families; new people joined the first"
            }
        } else if let atAddress = try HouseholdTables.family(atAddress: addressKey, on: connection) {
            familyID = atAddress
        } else {
            familyID = UUID()
            isNewFamily = true
            try HouseholdTables.createFamily(
                familyID, addressLines: referral.address.lines, postcode: referral.address.postcode, addressKey: addressKey,
                on: connection)
        }

        let knownKeys = Set(known.map(\.identityKey))
        var labels = MemberLabels(existing: try HouseholdTables.members(of: familyID, on: connection).map(\.label))
        let newPeople = referral.members.filter { !knownKeys.contains($0.identity.keyHash) }.map { person in
            HouseholdTables.NewPerson(
                memberLabel: labels.next(),
                givenName: person.givenName, familyName: person.familyName, dateOfBirth: person.dateOfBirth.description,
                identityKey: person.identity.keyHash)
        }
        try HouseholdTables.add(newPeople, to: familyID, on: connection)
        try ReferralTable.insert(
            ReferralTable.Row(
                agencyID: message.agency, referralID: referral.id, familyID: familyID, reasons: referral.reasons,
                submittedAt: message.submittedAt, reviewNote: reviewNote),
            on: connection)

        let labelByKey = Dictionary(uniqueKeysWithValues: newPeople.map { ($0.identityKey, $0.memberLabel) })
        let released = try UnmatchedEvidenceTable.release(identityKeys: newPeople.map(\.identityKey), on: connection)
        let releasedEvidence = try released.map { row in
            EvidenceRecorded(
                familyID: familyID, evidenceID: row.agencyID + "/" + row.recordID, personID: labelByKey[row.identityKey]!,
                fact: try ContractJSON.decode(ReportedFact.self, from: row.fact), recordedAt: Date())
        }
        let members = try HouseholdTables.members(of: familyID, on: connection).map {
            FamilyMember(id: $0.label, dateOfBirth: CalendarDate(iso: $0.dateOfBirth)!)
        }
        let accepted = ReferralAccepted(
            familyID: familyID, agency: message.agency, referralID: referral.id, acceptedAt: Date(), members: members,
            isNewFamily: isNewFamily, reasons: referral.reasons)
        return ReferralOutcome(accepted: accepted, releasedEvidence: releasedEvidence)
    }

    /// Matches an evidence record to its person, or keeps it until a
    /// referral names them.
    /// - Returns: the record to send on, or nil when it waits.
    func match(_ message: EvidenceSubmitted) throws -> EvidenceRecorded? {
        let identityKey = message.record.subject.keyHash
        guard let person = try HouseholdTables.people(withIdentityKeys: [identityKey], on: connection).first else {
            try UnmatchedEvidenceTable.hold(
                UnmatchedEvidenceTable.Row(
                    agencyID: message.agency, recordID: message.record.id, identityKey: identityKey,
                    fact: ContractJSON.encode(message.record.fact)),
                on: connection)
            return nil
        }
        return EvidenceRecorded(
            familyID: person.familyID, evidenceID: message.agency + "/" + message.record.id, personID: person.memberLabel,
            fact: message.record.fact, recordedAt: Date())
    }

    /// Serialises matching across lanes and replicas, once per batch: first
    /// the people and addresses the batch names (so two referrals naming a new
    /// person at once make one record) and its referral ids (so an agency's
    /// referral sent twice is registered once), then the families they already belong
    /// to (so people joining one family get distinct labels). Each set is
    /// taken in one global order, and nobody takes a key after a family, so
    /// batches wait for each other and never deadlock. A family the batch
    /// creates needs no lock: only the keys it was found by lead to it.
    static func lock(_ events: [IntakeEvent], on connection: PostgresConnection) throws {
        var identityKeys: [String] = []
        var addressKeys: [String] = []
        var referralKeys: [String] = []
        for event in events {
            switch event {
            case .referral(let message, _):
                identityKeys += message.referral.members.map(\.identity.keyHash)
                addressKeys.append(addressKey(message.referral.address))
                referralKeys.append("referral/" + message.agency + "/" + message.referral.id)
            case .evidence(let message, _):
                identityKeys.append(message.record.subject.keyHash)
            }
        }
        try AdvisoryLocks.intakeMatching.lock(identityKeys + addressKeys + referralKeys, on: connection)
        let families = try HouseholdTables.people(withIdentityKeys: identityKeys, on: connection).map(\.familyID)
            + HouseholdTables.families(atAddresses: addressKeys, on: connection)
        try AdvisoryLocks.intakeFamilies.lock(families.map(\.uuidString), on: connection)
    }

    static func addressKey(_ address: Address) -> String {
        let postcode = address.postcode.uppercased().filter { !$0.isWhitespace }
        let firstLine = (address.lines.first ?? "").lowercased().filter { $0.isLetter || $0.isNumber }
        return SHA256.hex(Array((postcode + "|" + firstLine).utf8))
    }

    private static func firstRepeat(in keys: [String]) -> (earlier: Int, later: Int)? {
        var seen: [String: Int] = [:]
        for (index, key) in keys.enumerated() {
            if let earlier = seen[key] { return (earlier, index) }
            seen[key] = index
        }
        return nil
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
