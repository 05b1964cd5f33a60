import Foundation
import Settings

/// The pipeline's topics. A deployment may prefix them all (env
/// `TOPIC_PREFIX`), so several programmes or test runs share one cluster.
public struct Topics: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = "") {
        self.prefix = prefix
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Topics {
        // Any text is a prefix, none included: reading it cannot fail.
        Topics(prefix: (try? SettingsReader(environment: environment).value(ServiceSettings.topicPrefix)) ?? "")
    }

    /// Agencies' referrals, signed; keyed by agency and referral id.
    public var referralsSubmitted: String { prefix + "referrals.submitted" }
    /// Agencies' evidence records, signed; keyed by the person they are about.
    public var evidenceSubmitted: String { prefix + "evidence.submitted" }
    /// Referrals intake accepted, with pseudonymous people; keyed by family.
    public var referralsAccepted: String { prefix + "referrals.accepted" }
    /// Evidence matched to a family, pseudonymous; keyed by family.
    public var evidenceRecorded: String { prefix + "evidence.recorded" }
    /// Screening's decisions; keyed by family.
    public var eligibilityDecided: String { prefix + "eligibility.decided" }
    /// A co-ordinator's record that the authority started working with a family; keyed by family.
    public var familiesAttached: String { prefix + "families.attached" }
    /// A co-ordinator's record that the authority's work with a family ended (``FamilyClosed``); keyed by family.
    public var familiesClosed: String { prefix + "families.closed" }
    /// A co-ordinator's merge of two families intake found may be one (``FamilyMerged``); keyed by the family kept.
    public var familiesMerged: String { prefix + "families.merged" }
    /// A co-ordinator's requests that screening decide families again (``FamilyRescreenRequested``); keyed by family.
    public var familiesRescreen: String { prefix + "families.rescreen" }

    /// Intake's verdict on every message an agency sent (``ReceiptsIssued``, a message a batch and agency); keyed by agency.
    public var receipts: String { prefix + "receipts" }

    /// A stage's consumer group (and inbox name): prefixed like the topics,
    /// so programmes sharing a cluster never share a group.
    public func consumerGroup(_ service: String) -> String { prefix + service }

    /// Every topic, as `deploy/topics` lists them.
    public var all: [String] {
        [
            referralsSubmitted, evidenceSubmitted, referralsAccepted, evidenceRecorded, eligibilityDecided, familiesAttached, familiesClosed,
            familiesMerged, familiesRescreen, receipts,
        ]
    }
}
