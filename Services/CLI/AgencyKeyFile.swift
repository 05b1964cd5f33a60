import Contracts
import Foundation
import Postgres
import StageLogic

#if canImport(Glibc)
    import Glibc
#endif

/// An agency's signing key file (``AgencyKeyFileText``): read for a command,
/// written only its owner can read.
enum AgencyKeyFile {
    /// The signer a key file holds, checked against the agency it is used for.
    /// - Throws: ``CommandFailure/refused(_:)`` when the file cannot be read,
    ///   holds no key, or is another agency's.
    static func read(_ path: String, for agency: String) throws -> AgencySignature.Signer {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CommandFailure.refused("cannot read the key file \(path)") }
        let key: (signer: AgencySignature.Signer, agency: String?)
        do throws(ContractError) {
            key = try AgencyKeyFileText.read(text)
        } catch {
            throw CommandFailure.refused("\(path) \(error.description)")
        }
        if let owner = key.agency, owner != agency { throw CommandFailure.refused("\(path) holds agency \(owner)'s key, not agency \(agency)'s") }
        return key.signer
    }

    /// Makes a new key pair for `agency`, writes the private key to `path`
    /// first (so no key is stored whose private half is lost), then has
    /// `store` keep the public key; the file is removed if storing fails.
    /// - Returns: the new key's id.
    static func issue(
        to path: String, agency: String, store: (_ keyID: String, _ publicKey: [UInt8]) async throws -> Void
    ) async throws -> String {
        let key = AgencySignature.newKey()
        try create(path, holding: AgencyKeyFileText.text(agency: agency, keyID: key.keyID, privateKey: key.privateKey))
        do {
            try await store(key.keyID, key.publicKey)
        } catch {
            unlink(path)
            throw error
        }
        return key.keyID
    }

    /// Creates `path` readable and writable by its owner alone, refusing a file that exists.
    static func create(_ path: String, holding contents: String) throws {
        let bytes = Array(contents.utf8)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            if errno == EEXIST { throw CommandFailure.refused("\(path) exists already: choose a new file for the key") }
            throw CommandFailure.environment("cannot create the key file \(path): \(reason)")
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let closed = close(descriptor)
        guard written == bytes.count, closed == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw CommandFailure.environment("cannot write the key file \(path): \(reason)")
        }
    }

    /// Checks that `signer` holds one of the agency's keys in use, as intake
    /// checks a message: a request signed with it must verify under the keys
    /// intake holds.
    /// - Throws: ``CommandFailure/refused(_:)`` for an agency not registered,
    ///   retired, or a key that is not (or no longer) the agency's.
    static func authenticate(_ agency: String, signer: AgencySignature.Signer, on connection: PostgresConnection) throws {
        let now = Date()
        let request = Array("turnaround receipts \(agency) \(now.timeIntervalSince1970)".utf8)
        let headers = AgencySignature.headers(signing: request, with: signer)
        let keys = try AgencyKeys.load(for: [agency], on: connection)
        var checked = AgencySignature.CheckedBatches()
        if let refusal = keys.refusal(
            agency: agency, signature: headers.first { $0.name == AgencySignature.header }?.value,
            keyID: headers.first { $0.name == AgencySignature.keyHeader }?.value, path: headers.first { $0.name == AgencySignature.pathHeader }?.value,
            payload: request, at: now, checked: &checked)
        {
            throw CommandFailure.refused("the key given does not sign as agency \(agency): \(refusal)")
        }
    }
}
