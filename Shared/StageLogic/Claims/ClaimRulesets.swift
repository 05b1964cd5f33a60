import Postgres
import Rules
import Store

/// The rulesets a check measures claims under: each claim under the ruleset
/// it was made with (its id, version and content hash), not the one running
/// now. A later version may add a rule (Supporting Families 1.3.0 measures
/// a result after the case closed); claims made correctly before it must
/// not look unsupported, and the payments due now stay the running ruleset's.
///
/// A ruleset other than the running one is known from `ruleset`, where each
/// stage records what it starts with. A claim whose ruleset's content is not
/// recorded cannot be checked, and says why: measuring it under other rules
/// would report on rules it was never made under.
public struct ClaimRulesets: Sendable {
    /// A claim's ruleset, as far as it is known.
    public enum Found: Sendable {
        case ruleset(Ruleset)
        /// The claim cannot be checked: why, in words.
        case unavailable(String)
    }

    public let running: Ruleset
    /// The running ruleset's id's recorded versions, by version.
    private let recorded: [String: (contentHash: String, ruleset: Found)]

    /// - Parameter recorded: the recorded versions of the running ruleset's id.
    public init(running: Ruleset, recorded: [RulesetTable.Recorded]) {
        self.running = running
        var byVersion: [String: (contentHash: String, ruleset: Found)] = [:]
        for version in recorded where version.id == running.id {
            let found: Found
            if version.version == running.version && version.contentHash == running.contentHash {
                found = .ruleset(running)
            } else if let content = version.content {
                do throws(InvalidRuleset) {
                    found = .ruleset(try Ruleset.decode(Array(content.utf8), file: "\(version.id)@\(version.version)"))
                } catch {
                    // Content a later build recorded, in a form this one cannot read.
                    found = .unavailable(
                        "the content of ruleset \(version.id) version \(version.version) is recorded but this build cannot read it: "
                            + (error.problems.first?.description ?? "it is not a ruleset"))
                }
            } else {
                // Recorded before rulesets' content was kept.
                found = .unavailable("the content of ruleset \(version.id) version \(version.version) is not recorded")
            }
            byVersion[version.version] = (version.contentHash, found)
        }
        self.recorded = byVersion
    }

    /// The running ruleset and its id's recorded versions, read in one query.
    public static func load(running: Ruleset, on connection: PostgresConnection) throws -> ClaimRulesets {
        ClaimRulesets(running: running, recorded: try RulesetTable.versions(of: running.id, on: connection))
    }

    /// The ruleset of the running one's id with this version and content hash.
    public func ruleset(version: String, contentHash: String) -> Found {
        if version == running.version && contentHash == running.contentHash { return .ruleset(running) }
        let name = "ruleset \(running.id) version \(version)"
        guard let recorded = recorded[version] else { return .unavailable("the content of \(name) is not recorded") }
        guard recorded.contentHash == contentHash else {
            return .unavailable(
                "the content of \(name) with content hash \(contentHash) is not recorded (that version is recorded with content hash "
                    + "\(recorded.contentHash))")
        }
        return recorded.ruleset
    }
}
