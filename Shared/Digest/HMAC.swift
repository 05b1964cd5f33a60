import Crypto

/// HMAC-SHA256 (RFC 2104): agencies sign what they send with a key the local
/// authority issued them, so intake can tell who sent a message and that
/// nobody changed it on the way. swift-crypto computes it.
public enum HMAC {
    /// The 32-byte authentication code of `message` under `key`.
    public static func sha256(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(Crypto.HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Whether `code` is the authentication code of `message` under `key`,
    /// compared in constant time so the comparison leaks nothing of the code.
    public static func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        Crypto.HMAC<Crypto.SHA256>.isValidAuthenticationCode(code, authenticating: message, using: SymmetricKey(data: key))
    }
}
