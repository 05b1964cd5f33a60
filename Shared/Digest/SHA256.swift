import Crypto

/// SHA-256 (FIPS 180-4): the ruleset content hash that every decision and
/// claim records, the hash of people's identities, and the digest the inbox
/// remembers a message's content by. swift-crypto computes it.
public enum SHA256 {
    /// The digest of `bytes` as 64 lower-case hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        Hex.encode(digest(bytes))
    }

    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: bytes))
    }
}
