import Postgres
import Rules
import Store

extension ScreeningHandler {
    /// Records the ruleset screening starts with, or refuses to start: an id
    /// and version recorded with other content would let two replicas decide
    /// under different rules that every decision names alike.
    /// - Throws: ``RulesetChanged`` when the ruleset's id and version are recorded with another content hash.
    func prepare(on connection: PostgresConnection) throws {
        let start = try RulesetTable.recordStart(
            id: ruleset.id, version: ruleset.version, contentHash: ruleset.contentHash, content: ruleset.content, on: connection)
        if case .conflicting(let recordedHash) = start {
            throw RulesetChanged(id: ruleset.id, version: ruleset.version, recordedHash: recordedHash, contentHash: ruleset.contentHash)
        }
    }
}

/// Screening was given a ruleset whose id and version are recorded with other content.
struct RulesetChanged: Error, CustomStringConvertible {
    var id: String
    var version: String
    var recordedHash: String
    var contentHash: String

    var description: String {
        """
        screening refuses to start: ruleset \(id) version \(version) is recorded with content hash \(recordedHash), \
        but this one's content hash is \(contentHash). One id and version must always mean the same rules, or \
        replicas would decide under different rules that decisions name alike: a changed ruleset needs a new \
        version (its "version" field); `turnaround rulesets list` shows the versions in use.
        """
    }
}
