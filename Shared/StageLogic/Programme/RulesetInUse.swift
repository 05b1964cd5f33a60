import Postgres
import Rules
import Store

/// The rulesets the stages work under, by id, version and content hash.
public enum RulesetInUse {
    /// Records the ruleset a stage starts with, or refuses the start: an id
    /// and version recorded with other content would let two replicas (or
    /// screening and claims) work under different rules that every decision
    /// and claim names alike.
    /// - Parameter stage: `screening` or `claims`, as the refusal names it.
    /// - Throws: ``RulesetChanged`` when the ruleset's id and version are recorded with another content hash.
    public static func record(_ ruleset: Ruleset, by stage: String, on connection: PostgresConnection) throws {
        let start = try RulesetTable.recordStart(
            id: ruleset.id, version: ruleset.version, contentHash: ruleset.contentHash, content: ruleset.content, on: connection)
        if case .conflicting(let recordedHash) = start {
            throw RulesetChanged(
                stage: stage, id: ruleset.id, version: ruleset.version, recordedHash: recordedHash, contentHash: ruleset.contentHash)
        }
    }
}

/// A stage was given a ruleset whose id and version are recorded with other content.
public struct RulesetChanged: Error, CustomStringConvertible {
    public var stage: String
    public var id: String
    public var version: String
    public var recordedHash: String
    public var contentHash: String

    public var description: String {
        """
        \(stage) refuses to start: ruleset \(id) version \(version) is recorded with content hash \(recordedHash), \
        but this one's content hash is \(contentHash). One id and version must always mean the same rules, or \
        replicas would work under different rules that decisions and claims name alike: a changed ruleset needs a new \
        version (its "version" field); `turnaround rulesets list` shows the versions in use.
        """
    }
}
