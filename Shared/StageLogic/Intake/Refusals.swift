import Contracts
import Foundation

/// The receipt for an agency's message intake refused: named by what can
/// be read of it (the agency, and the referral's or record's id), since a
/// refused message may not be readable at all.
public enum Refusals {
    /// - Parameters:
    ///   - kind: what the message's topic carries.
    ///   - payload: the message's bytes; read only within an agency message's size limit.
    ///   - reason: why it was refused, naming fields, never their values.
    public static func receipt(
        kind: Receipt.Kind, payload: [UInt8], eventID: String?, reason: String, at now: Date
    ) -> Receipt {
        var agency = ""
        var itemID: String?
        if payload.count <= agencyMessageMaximumBytes,
            let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
        {
            agency = object["agency"] as? String ?? ""
            let line = object[kind == .referral ? ReferralSubmitted.lineField : EvidenceSubmitted.lineField] as? [String: Any]
            itemID = line?["id"] as? String
        }
        return Receipt(agency: agency, eventID: eventID, kind: kind, itemID: itemID, verdict: .refused, detail: reason, issuedAt: now)
    }
}
