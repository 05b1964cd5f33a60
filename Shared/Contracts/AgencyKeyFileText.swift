import Digest

/// An agency's key file, as `turnaround agency add` and `agency keys add`
/// write it and `turnaround submit` reads it: the agency, the key's id and the
/// Ed25519 private key (hex), one `name: value` a line. A file holding one
/// line of hex is the HMAC secret of an agency registered before Ed25519.
public enum AgencyKeyFileText {
    /// The text of the file holding a new key.
    public static func text(agency: String, keyID: String, privateKey: [UInt8]) -> String {
        """
        # Turnaround signing key of agency \(agency). Keep it secret: whoever holds it can send as the agency.
        agency: \(agency)
        key-id: \(keyID)
        ed25519-private-key: \(Hex.encode(privateKey))

        """
    }

    /// What a key file's text says: the signer and the agency it belongs to
    /// (`nil` for an HMAC secret, which does not say).
    /// - Throws: a description of what is wrong, never of the key.
    public static func read(_ text: String) throws(ContractError) -> (signer: AgencySignature.Signer, agency: String?) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        if lines.count == 1, let secret = Hex.decode(lines[0]) { return (.hmac(secret: secret), nil) }
        var fields: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ContractError(field: "", problem: "is not a signing key file") }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let agency = fields["agency"], let keyID = fields["key-id"], let privateKey = fields["ed25519-private-key"].flatMap(Hex.decode),
            let publicKey = Ed25519.publicKey(of: privateKey), AgencySignature.keyID(of: publicKey) == keyID
        else { throw ContractError(field: "", problem: "is not a signing key file, or is damaged") }
        return (.ed25519(keyID: keyID, privateKey: privateKey), agency)
    }
}
