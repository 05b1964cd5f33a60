import Digest

/// How an agency signs what it sends: the header `signature` holds
/// `hmac-sha256=<hex>`, the HMAC-SHA256 of the message's bytes under the key
/// the local authority issued the agency.
public enum AgencySignature {
    public static let header = "signature"
    private static let scheme = "hmac-sha256="

    /// The header value signing `payload` with `key`.
    public static func sign(_ payload: [UInt8], key: [UInt8]) -> [UInt8] {
        Array((scheme + Hex.encode(HMAC.sha256(payload, key: key))).utf8)
    }

    /// Checks a signature header against the payload and the agency's key.
    /// - Throws: ``ContractError`` saying what is wrong with the signature.
    public static func verify(_ signature: [UInt8]?, payload: [UInt8], key: [UInt8]) throws(ContractError) {
        guard let signature else { throw ContractError(field: "header \(header)", problem: "is missing") }
        let text = String(decoding: signature, as: UTF8.self)
        guard text.hasPrefix(scheme), let code = Hex.decode(String(text.dropFirst(scheme.count))) else {
            throw ContractError(field: "header \(header)", problem: "is not of the form \(scheme)<hex>")
        }
        guard HMAC.isValid(code, for: payload, key: key) else {
            throw ContractError(field: "header \(header)", problem: "does not match the message and the agency's key")
        }
    }

    /// A new random key for an agency.
    public static func newKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
