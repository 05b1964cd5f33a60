/// HMAC-SHA256 (RFC 2104): agencies sign what they send with a key the local
/// authority issued them, so intake can tell who sent a message and that
/// nobody changed it on the way.
public enum HMAC {
    /// The 32-byte authentication code of `message` under `key`.
    public static func sha256(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var block = key.count > SHA256.blockSize ? SHA256.digest(key) : key
        block += [UInt8](repeating: 0, count: SHA256.blockSize - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + message)
        return SHA256.digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// Whether `code` is the authentication code of `message` under `key`,
    /// compared in constant time so the comparison leaks nothing of the code.
    public static func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        let expected = sha256(message, key: key)
        guard code.count == expected.count else { return false }
        return zip(code, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
