import Crypto

/// Ed25519 signatures (RFC 8032): an agency signs what it sends with a
/// private key only it holds, and intake checks the signature with the
/// matching public key, which can check but never sign. swift-crypto
/// computes them.
public enum Ed25519 {
    /// A new key pair: the 32-byte private key (its seed) and its 32-byte public key.
    public static func newKeyPair() -> (privateKey: [UInt8], publicKey: [UInt8]) {
        let key = Curve25519.Signing.PrivateKey()
        return (Array(key.rawRepresentation), Array(key.publicKey.rawRepresentation))
    }

    /// The public key of a 32-byte private key, or `nil` if it is not one.
    public static func publicKey(of privateKey: [UInt8]) -> [UInt8]? {
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)).map { Array($0.publicKey.rawRepresentation) }
    }

    /// The 64-byte signature of `message` under a 32-byte private key, or
    /// `nil` if `privateKey` is not one.
    public static func sign(_ message: [UInt8], privateKey: [UInt8]) -> [UInt8]? {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) else { return nil }
        return (try? key.signature(for: message)).map { Array($0) }
    }

    /// Whether `signature` is a signature of `message` by the holder of `publicKey`.
    public static func isValid(_ signature: [UInt8], for message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
