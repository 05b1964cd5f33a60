import Digest
import Foundation

/// How an agency signs what it sends. Messages are signed in batches of up
/// to ``batchSize``: one Ed25519 signature, under one of the agency's private
/// keys, over the root of a Merkle tree of the batch's messages
/// (``MerkleTree``), so intake checks one signature for many messages and
/// each message can still be checked alone. The header `signature` holds
/// `ed25519=<hex>`, the signature; `signature-key` names the key; and
/// `signature-path` holds `<index>/<size>` and, for a batch of more than one,
/// `:` and the message's path in hex, comma-separated. Intake holds only the
/// public keys, which can check a signature but never make one.
///
/// Agencies registered before Ed25519 may still send `hmac-sha256=<hex>`, the
/// HMAC-SHA256 of each message under the secret intake issued them, until
/// that key is retired.
public enum AgencySignature {
    public static let header = "signature"
    public static let keyHeader = "signature-key"
    public static let pathHeader = "signature-path"
    /// Messages under one signature at most: one check serves this many
    /// messages, each of which carries a path of log2 of this many hashes.
    public static let batchSize = 64
    /// The key id of an agency's HMAC secret, its one key before Ed25519.
    public static let hmacKeyID = "hmac"

    private static let ed25519Scheme = "ed25519="
    private static let hmacScheme = "hmac-sha256="

    /// What an agency signs with.
    public enum Signer: Sendable, Equatable {
        /// An Ed25519 private key and the id intake knows its public key by.
        case ed25519(keyID: String, privateKey: [UInt8])
        /// The HMAC secret of an agency registered before Ed25519.
        case hmac(secret: [UInt8])
    }

    /// A key intake checks an agency's signatures with.
    public struct VerifyingKey: Sendable, Equatable {
        public enum Algorithm: String, Sendable {
            case ed25519
            case hmacSHA256 = "hmac-sha256"
        }

        public var id: String
        public var algorithm: Algorithm
        /// The Ed25519 public key; for HMAC, the secret, erased when the key is retired.
        public var bytes: [UInt8]?
        /// From when the key is refused; `nil` while it is in use.
        public var retiredFrom: Date?

        public init(id: String, algorithm: Algorithm, bytes: [UInt8]?, retiredFrom: Date?) {
            self.id = id
            self.algorithm = algorithm
            self.bytes = bytes
            self.retiredFrom = retiredFrom
        }
    }

    /// A new Ed25519 key pair for an agency, with the id its public key is known by.
    public static func newKey() -> (keyID: String, privateKey: [UInt8], publicKey: [UInt8]) {
        let pair = Ed25519.newKeyPair()
        return (keyID(of: pair.publicKey), pair.privateKey, pair.publicKey)
    }

    /// A public key's id: the first 16 hex digits of its SHA-256, which names
    /// the key in headers, receipts and logs without being the key.
    public static func keyID(of publicKey: [UInt8]) -> String {
        String(SHA256.hex(publicKey).prefix(16))
    }

    /// The headers (name, value) signing `payload` alone with `signer`.
    public static func headers(signing payload: [UInt8], with signer: Signer) -> [(name: String, value: [UInt8])] {
        headers(signing: [payload], with: signer)[0]
    }

    /// The headers (name, value) of each payload, signed in batches of
    /// ``batchSize`` with `signer`, in the payloads' order.
    public static func headers(signing payloads: [[UInt8]], with signer: Signer) -> [[(name: String, value: [UInt8])]] {
        switch signer {
        case .hmac(let secret):
            return payloads.map { [(header, Array((hmacScheme + Hex.encode(HMAC.sha256($0, key: secret))).utf8))] }
        case .ed25519(let keyID, let privateKey):
            return stride(from: 0, to: payloads.count, by: batchSize).flatMap { start in
                let batch = payloads[start..<min(start + batchSize, payloads.count)]
                let tree = MerkleTree.build(batch.map(MerkleTree.leafHash))
                // A private key that is not one signs with nothing, which intake refuses.
                let signature = Array((ed25519Scheme + Hex.encode(Ed25519.sign(signedBytes(root: tree.root), privateKey: privateKey) ?? [])).utf8)
                return tree.paths.enumerated().map { index, path in
                    let position = "\(index)/\(batch.count)" + (path.isEmpty ? "" : ":" + path.map(Hex.encode).joined(separator: ","))
                    return [(header, signature), (keyHeader, Array(keyID.utf8)), (pathHeader, Array(position.utf8))]
                }
            }
        }
    }

    /// What an Ed25519 signature signs: a batch's root, named as such so the
    /// signature can never be taken for one over anything else.
    private static func signedBytes(root: [UInt8]) -> [UInt8] {
        Array("turnaround agency batch v1:".utf8) + root
    }

    /// The batches whose signatures a reader has checked already: each is
    /// checked once however many of its messages it reads.
    public struct CheckedBatches: Sendable {
        fileprivate var valid: Set<[UInt8]> = []
        public init() {}
    }

    /// Checks a message's signature headers against its bytes and the keys
    /// of the agency it says it is from, as they stand at `now`.
    /// - Throws: ``ContractError`` naming the header and the key id at fault, never a key.
    public static func verify(
        signature: [UInt8]?, keyID: [UInt8]?, path: [UInt8]?, payload: [UInt8], agency: String, keys: [VerifyingKey], at now: Date,
        checked: inout CheckedBatches
    ) throws(ContractError) {
        guard let signature else { throw ContractError(field: "header \(header)", problem: "is missing") }
        let text = String(decoding: signature, as: UTF8.self)
        if text.hasPrefix(hmacScheme), let code = Hex.decode(String(text.dropFirst(hmacScheme.count))) {
            let key = try key(for: .hmacSHA256, named: nil, of: agency, among: keys, at: now)
            guard let secret = key.bytes, HMAC.isValid(code, for: payload, key: secret) else { throw mismatch(key, agency) }
            return
        }
        guard text.hasPrefix(ed25519Scheme), let code = Hex.decode(String(text.dropFirst(ed25519Scheme.count))) else {
            throw ContractError(field: "header \(header)", problem: "is not of the form \(ed25519Scheme)<hex> (or \(hmacScheme)<hex>)")
        }
        let key = try key(for: .ed25519, named: keyID, of: agency, among: keys, at: now)
        let root = try root(of: payload, path: path)
        guard let publicKey = key.bytes else { throw mismatch(key, agency) }
        // A batch is the agency's, under this very key: two agencies never share a check.
        let batch = Array(agency.utf8) + [0] + publicKey + root + code
        if checked.valid.contains(batch) { return }
        guard Ed25519.isValid(code, for: signedBytes(root: root), publicKey: publicKey) else { throw mismatch(key, agency) }
        checked.valid.insert(batch)
    }

    /// The root of the batch a message's path says it was signed in.
    private static func root(of payload: [UInt8], path: [UInt8]?) throws(ContractError) -> [UInt8] {
        let malformed = ContractError(field: "header \(pathHeader)", problem: "is not of the form <index>/<size>[:<hex>,…]")
        guard let path else { throw ContractError(field: "header \(pathHeader)", problem: "is missing: an Ed25519 signature signs a batch") }
        let text = String(decoding: path, as: UTF8.self)
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let position = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard position.count == 2, let index = Int(position[0]), let size = Int(position[1]), size <= batchSize else { throw malformed }
        var siblings: [[UInt8]] = []
        if parts.count == 2 {
            for sibling in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                guard let hash = Hex.decode(String(sibling)) else { throw malformed }
                siblings.append(hash)
            }
        }
        guard let root = MerkleTree.root(leaf: MerkleTree.leafHash(payload), index: index, size: size, path: siblings) else { throw malformed }
        return root
    }

    private static func mismatch(_ key: VerifyingKey, _ agency: String) -> ContractError {
        ContractError(field: "header \(header)", problem: "does not match the message and key \(key.id) of agency \(agency)")
    }

    /// The key a signature names, if the agency has it and it is in use.
    private static func key(
        for algorithm: VerifyingKey.Algorithm, named keyID: [UInt8]?, of agency: String, among keys: [VerifyingKey], at now: Date
    ) throws(ContractError) -> VerifyingKey {
        let id: String
        switch algorithm {
        case .ed25519:
            guard let keyID else { throw ContractError(field: "header \(keyHeader)", problem: "is missing: an Ed25519 signature names its key") }
            id = String(decoding: keyID, as: UTF8.self)
        case .hmacSHA256:
            id = hmacKeyID
        }
        guard let key = keys.first(where: { $0.id == id && $0.algorithm == algorithm }) else {
            switch algorithm {
            case .ed25519: throw ContractError(field: "header \(keyHeader)", problem: "\(id) is not a key of agency \(agency)")
            case .hmacSHA256: throw ContractError(field: "header \(header)", problem: "agency \(agency) has no HMAC key: it signs with Ed25519")
            }
        }
        if let retiredFrom = key.retiredFrom, retiredFrom <= now {
            throw ContractError(
                field: "header \(algorithm == .ed25519 ? keyHeader : header)",
                problem: "key \(id) of agency \(agency) was retired at \(retiredFrom.formatted(.iso8601))")
        }
        return key
    }
}
