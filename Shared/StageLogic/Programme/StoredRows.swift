import Contracts
import Rules
import Store
import Vocabulary

// The stages' tables with the types their JSON columns keep: the store
// keeps JSON of any shape, and the stages name the shape here, once.

/// A stage's copy of the evidence: each record's fact as the messages carry it.
public typealias StageEvidenceTable = EvidenceTable<EvidenceFact>
/// Read back through the contract's quick reader of stored facts.
extension EvidenceFact: StoredJSON {}
/// A family's members, as screening keeps them, read back through the contract's quick reader.
extension Array: StoredJSON where Element == FamilyMember {}
/// A record intake holds until a referral names its person.
public typealias HeldEvidenceRow = UnmatchedEvidenceTable.Row<EvidenceFact>
/// What the claims stage knows of a family, its members as decisions name them.
public typealias ClaimsFamilyRow = ClaimsFamilyTable.Row<[FamilyMember]>
/// A payment claimed, with the explanation finance and auditors read.
public typealias ClaimRow = ResultClaimTable.Row<ClaimExplanation>
