import Foundation

// Screening sends a decision for every family it decides, and a rescreen
// decides every family: JSONEncoder spent more time writing these messages
// than screening spent deciding them. They are written here byte for byte
// as ContractJSON writes them (ContractsTests holds them to it), each
// object's keys in sorted order.

extension EligibilityDecided {
    public func encoded() -> [UInt8] {
        encoded(decisionJSON: decision.encodedJSON())
    }

    /// The message as it travels, its decision already written by
    /// ``Decision/encodedJSON()``: a decision kept as well as sent is written once.
    public func encoded(decisionJSON: [UInt8]) -> [UInt8] {
        var writer = ContractJSONWriter(reservingCapacity: decisionJSON.count + 64 * members.count + 200)
        writer.openObject()
        writer.key("decision")
        writer.raw(decisionJSON)
        writer.key("decisionID")
        writer.string(decisionID.uuidString)
        writer.key("familyID")
        writer.string(familyID.uuidString)
        writer.key("members")
        writer.openArray()
        for member in members {
            writer.openObject()
            writer.key("dateOfBirth")
            writer.string(member.dateOfBirth.description)
            writer.key("id")
            writer.string(member.id)
            writer.closeObject()
        }
        writer.closeArray()
        if let revision {
            writer.key("revision")
            writer.int(revision)
        }
        writer.key("schema")
        writer.string(Self.schema)
        writer.key("version")
        writer.int(Self.version)
        writer.closeObject()
        return writer.bytes
    }
}

extension EligibilityDecided.Decision {
    /// The decision as the message carries it, as JSON: the same bytes as
    /// ContractJSON writes for it, and the same as for the rules engine's
    /// decision it was made from, whose fields it copies.
    public func encodedJSON() -> [UInt8] {
        var writer = ContractJSONWriter(reservingCapacity: 3_072)
        writer.openObject()
        writer.key("criteria")
        writer.openArray()
        for criterion in criteria {
            writer.openObject()
            writer.key("findings")
            writer.openArray()
            for finding in criterion.findings {
                writer.openObject()
                writer.key("evidenceIDs")
                writer.openArray()
                for evidenceID in finding.evidenceIDs { writer.string(evidenceID) }
                writer.closeArray()
                writer.key("isMet")
                writer.bool(finding.isMet)
                if let personID = finding.personID {
                    writer.key("personID")
                    writer.string(personID)
                }
                writer.key("text")
                writer.string(finding.text)
                writer.closeObject()
            }
            writer.closeArray()
            writer.key("id")
            writer.string(criterion.id)
            writer.key("isMet")
            writer.bool(criterion.isMet)
            writer.key("name")
            writer.string(criterion.name)
            writer.closeObject()
        }
        writer.closeArray()
        writer.key("decidedOn")
        writer.string(decidedOn.description)
        writer.key("familyID")
        writer.string(familyID)
        writer.key("isEligible")
        writer.bool(isEligible)
        writer.key("rulesetHash")
        writer.string(rulesetHash)
        writer.key("rulesetID")
        writer.string(rulesetID)
        writer.key("rulesetVersion")
        writer.string(rulesetVersion)
        writer.key("summary")
        writer.string(summary)
        writer.closeObject()
        return writer.bytes
    }
}
