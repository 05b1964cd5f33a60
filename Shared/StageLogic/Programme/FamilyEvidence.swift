import Contracts
import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// A stage's copy of the evidence matched to families, read back as the
/// rules engine takes it.
public enum FamilyEvidence {
    /// The families a batch's events change: those they name, and those that
    /// hold the evidence records they correct now. Lock them all before reading.
    public static func familiesChanged(
        naming familyIDs: [UUID], evidence: [EvidenceRecorded], in table: StageEvidenceTable, on connection: PostgresConnection
    ) throws -> Set<UUID> {
        Set(familyIDs).union(try table.families(holding: evidence.map(\.evidenceID), on: connection))
    }

    /// A family screening holds, as the rules take it.
    public struct Held: Sendable {
        public var familyID: UUID
        public var family: Family
        public var evidence: Evidence
    }

    /// Those of these families whose members screening knows (the evidence
    /// about a family can arrive before its referral), in family id order,
    /// with their evidence: one query for the members, one for the evidence.
    public static func held(_ familyIDs: [UUID], on connection: PostgresConnection) throws -> [Held] {
        let members = try ScreeningFamilyTable.members(of: familyIDs, as: [FamilyMember].self, on: connection)
        return held(members, evidence: try load(of: members.keys.sorted(), from: .screening, on: connection))
    }

    /// Every family whose id lies from `first` through `last` (in Postgres's
    /// order of ids) and whose members screening knows, in family id order,
    /// with its evidence: one query for the members, one for the evidence.
    public static func held(from first: UUID, through last: UUID, on connection: PostgresConnection) throws -> [Held] {
        let members = try ScreeningFamilyTable.members(ofFamiliesFrom: first, through: last, as: [FamilyMember].self, on: connection)
        return held(members, evidence: grouped(try EvidenceTable.screening.evidence(ofFamiliesFrom: first, through: last, on: connection)))
    }

    private static func held(_ members: [UUID: [FamilyMember]], evidence: [UUID: Evidence]) -> [Held] {
        members.keys.sorted().map { familyID in
            Held(
                familyID: familyID, family: Family(id: familyID.uuidString.lowercased(), members: members[familyID]!),
                evidence: evidence[familyID] ?? Evidence(records: [], terms: []))
        }
    }

    /// Each family's evidence, in evidence id order (their bytes', as
    /// Postgres orders the column), with the school terms its attendance records name.
    public static func load(
        of familyIDs: [UUID], from table: StageEvidenceTable, on connection: PostgresConnection
    ) throws -> [UUID: Evidence] {
        grouped(try table.evidence(of: familyIDs, on: connection))
    }

    /// Evidence rows by family, each family's in evidence id order, with the
    /// school terms its attendance records name.
    private static func grouped(_ rows: [(evidenceID: String, familyID: UUID, personID: String, fact: EvidenceFact)]) -> [UUID: Evidence] {
        var byFamily: [UUID: (records: [EvidenceRecord], terms: [String: SchoolTerm])] = [:]
        for row in rows {
            let fact = row.fact
            byFamily[row.familyID, default: ([], [:])].records.append(
                EvidenceRecord(id: row.evidenceID, personID: row.personID, fact: fact))
            if let term = fact.term { byFamily[row.familyID, default: ([], [:])].terms[term.id] = term }
        }
        return byFamily.mapValues {
            Evidence(
                records: $0.records.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) },
                terms: $0.terms.values.sorted { $0.start < $1.start })
        }
    }

    /// Records evidence in a stage's table; of several records with one id
    /// in a batch, the last (the latest correction) stands.
    /// - Returns: the families that held these records before (a correction
    ///   can move a record to another family).
    @discardableResult
    public static func record(_ messages: [EvidenceRecorded], in table: StageEvidenceTable, on connection: PostgresConnection) throws -> Set<UUID> {
        var latest: [String: StageEvidenceTable.Row] = [:]
        for message in messages {
            latest[message.evidenceID] = StageEvidenceTable.Row(
                evidenceID: message.evidenceID, familyID: message.familyID, personID: message.personID,
                fact: message.fact, recordedAt: message.recordedAt)
        }
        return try table.upsert(latest.values.sorted { $0.evidenceID < $1.evidenceID }, on: connection)
    }
}
