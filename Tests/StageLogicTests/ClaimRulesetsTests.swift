import Foundation
import Rules
import StageLogic
import Store
import Testing

/// A claim is checked under the ruleset version it was made with, found by
/// version and content hash among those recorded; one whose content is not
/// recorded is said to be unknown, never swapped for other rules.
@Suite struct ClaimRulesetsTests {
    let running: Ruleset
    /// Supporting Families as it was before 1.3.0: results measured from attachment, not from the case's closure.
    let earlier: Ruleset

    init() throws {
        running = try Ruleset.bundled("supporting-families-2022")
        let edited = running.content.replacingOccurrences(of: #""version": "1.3.0""#, with: #""version": "1.2.0""#)
            .replacingOccurrences(of: #""after": "caseClosure","#, with: "")
        earlier = try Ruleset.decode(Array(edited.utf8), file: "supporting-families-1.2.0.json")
    }

    func recorded(_ version: String, hash: String, content: String?) -> RulesetTable.Recorded {
        RulesetTable.Recorded(
            id: running.id, version: version, contentHash: hash, content: content, firstStartedAt: Date(), lastStartedAt: Date())
    }

    var claimRulesets: ClaimRulesets {
        ClaimRulesets(
            running: running,
            recorded: [
                recorded(running.version, hash: running.contentHash, content: running.content),
                recorded(earlier.version, hash: earlier.contentHash, content: earlier.content),
                recorded("1.1.0", hash: String(repeating: "b", count: 64), content: nil),
                recorded("1.0.0", hash: String(repeating: "c", count: 64), content: #"{"id": "supporting-families-2022"}"#),
            ])
    }

    func reason(_ found: ClaimRulesets.Found) -> String? {
        if case .unavailable(let reason) = found { return reason }
        return nil
    }

    @Test func aClaimMadeUnderTheRunningRulesetIsCheckedUnderIt() {
        guard case .ruleset(let found) = claimRulesets.ruleset(version: running.version, contentHash: running.contentHash) else {
            Issue.record("the running ruleset was not found")
            return
        }
        #expect(found.contentHash == running.contentHash)
    }

    @Test func aClaimMadeUnderAnEarlierVersionIsCheckedUnderThatVersionAsRecorded() {
        guard case .ruleset(let found) = claimRulesets.ruleset(version: "1.2.0", contentHash: earlier.contentHash) else {
            Issue.record("version 1.2.0 was not found")
            return
        }
        #expect(found.version == "1.2.0")
        #expect(found.contentHash == earlier.contentHash)
        guard case .sustainedProgress(let measure) = found.results.first?.measure else {
            Issue.record("1.2.0's result is not sustained progress")
            return
        }
        #expect(measure.after == nil, "1.2.0 measures from attachment")
    }

    @Test func aVersionRecordedWithoutItsContentCannotBeChecked() {
        #expect(
            reason(claimRulesets.ruleset(version: "1.1.0", contentHash: String(repeating: "b", count: 64)))
                == "the content of ruleset supporting-families-2022 version 1.1.0 is not recorded")
    }

    @Test func aVersionNeverRecordedCannotBeChecked() {
        #expect(
            reason(claimRulesets.ruleset(version: "0.9.0", contentHash: String(repeating: "d", count: 64)))
                == "the content of ruleset supporting-families-2022 version 0.9.0 is not recorded")
    }

    @Test func aClaimWhoseContentHashDiffersFromItsVersionsRecordedOneCannotBeChecked() {
        let other = String(repeating: "e", count: 64)
        #expect(
            reason(claimRulesets.ruleset(version: "1.2.0", contentHash: other))
                == "the content of ruleset supporting-families-2022 version 1.2.0 with content hash \(other) is not recorded "
                + "(that version is recorded with content hash \(earlier.contentHash))")
        #expect(reason(claimRulesets.ruleset(version: running.version, contentHash: other)) != nil)
    }

    @Test func recordedContentThisBuildCannotReadIsSaidSo() {
        let found = reason(claimRulesets.ruleset(version: "1.0.0", contentHash: String(repeating: "c", count: 64)))
        #expect(
            found?.hasPrefix("the content of ruleset supporting-families-2022 version 1.0.0 is recorded but this build cannot read it: ")
                == true, "\(found ?? "found")")
    }
}
