import ArgumentParser
import Contracts
import Foundation
import Store

struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency",
        abstract: "Register the partner agencies allowed to send referrals and evidence, change their keys, and retire them.",
        subcommands: [Add.self, List.self, Retire.self, Keys.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an agency with a new Ed25519 key pair: the private key goes to a file only its owner can read.",
            discussion: """
                Give the key file to the agency: `turnaround submit` signs with it. Only the public key is stored, which \
                can check the agency's signatures but never make one. The key file is written first, so an agency is \
                never registered with its key lost; if registering fails, the file is removed.
                """)

        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id, e.g. leeds-police (letters, digits and - _ . / :).") var id: String
        @Option(help: "The agency's name.") var name: String
        @Option(help: "Where to write the private key; must not exist yet.") var keyFile: String

        func validate() throws {
            do {
                try AgencyID.check(id)
            } catch {
                throw ValidationError("the agency id \"\(id)\" \(error.problem)")
            }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        }

        func run() async throws {
            let keyID = try await AgencyKeyFile.issue(to: keyFile, agency: id) { keyID, publicKey in
                do {
                    try await common.withPool { pool in
                        try await pool.withConnection { try AgencyTable.register(id: id, name: name, keyID: keyID, publicKey: publicKey, on: $0) }
                    }
                } catch let taken as AgencyTable.AlreadyRegistered {
                    throw CommandFailure.refused(taken.description)
                }
            }
            common.say("registered agency \(id) with key \(keyID); its private key is in \(keyFile)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered agencies.")
        @OptionGroup var common: CommonOptions
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func run() async throws {
            let agencies = try await common.withPool { pool in try await pool.withConnection { try AgencyTable.all(on: $0) } }
            Report(
                header: ["agency_id", "name", "registered_at", "status"],
                rows: agencies.map { [$0.id, $0.name, $0.registeredAt.formatted(.iso8601), $0.isRetired ? "retired" : "active"] }
            ).print(format, summary: "\(agencies.count) agencies")
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire an agency: intake refuses its messages from now on; what it sent before stays.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id.") var id: String

        func run() async throws {
            let retirement = try await common.withPool { pool in
                try await pool.withConnection { try AgencyTable.retire(id: id, on: $0) }
            }
            switch retirement {
            case .retired: common.say("retired agency \(id): intake refuses its messages from now on")
            case .alreadyRetired(let since): throw CommandFailure.refused("agency \(id) was retired already, at \(since.formatted(.iso8601))")
            case .unknown: throw CommandFailure.refused("no agency \(id) is registered")
            }
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An agency's keys: add a new one, retire an old one, list them.",
            discussion: """
                To change an agency's key: `agency keys add` gives it a second key, valid at once; once the agency \
                signs with the new key, `agency keys retire` the old one (at once, or --from a later time). A message \
                signed with a retired key is refused, naming the key's id. An agency registered before Ed25519 has the \
                key `hmac`, whose secret intake holds: give it an Ed25519 key the same way, then retire `hmac`, which \
                erases the secret.
                """,
            subcommands: [AddKey.self, RetireKey.self, ListKeys.self])
    }

    struct AddKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Give an agency a new Ed25519 key, valid from now beside its others.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id.") var agency: String
        @Option(help: "Where to write the new private key; must not exist yet.") var keyFile: String

        func run() async throws {
            let keyID = try await AgencyKeyFile.issue(to: keyFile, agency: agency) { keyID, publicKey in
                let added = try await common.withPool { pool in
                    try await pool.withConnection { try AgencyKeyTable.add(agency: agency, keyID: keyID, publicKey: publicKey, on: $0) }
                }
                guard added else { throw CommandFailure.refused("no active agency \(agency) is registered") }
            }
            common.say("agency \(agency) has the new key \(keyID), valid now; its private key is in \(keyFile)")
        }
    }

    struct RetireKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retire", abstract: "Retire one of an agency's keys: messages signed with it are refused from then on.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id.") var agency: String
        @Argument(help: "The key's id (`agency keys list` shows them).") var keyID: String
        @Option(help: "Refused from this day (from 00:00 UTC) or time with its zone; default: now. An HMAC key is retired at once.")
        var from: String?

        func validate() throws {
            if let from { _ = try Instant.parse(from, option: "--from") }
        }

        func run() async throws {
            let from = try from.map { try Instant.parse($0, option: "--from") } ?? Date()
            let retirement = try await common.withPool { pool in
                try await pool.withConnection { try AgencyKeyTable.retire(agency: agency, keyID: keyID, from: from, on: $0) }
            }
            switch retirement {
            case .retired(let at, let inUse):
                common.say(
                    "key \(keyID) of agency \(agency) is refused from \(Instant.text(at))"
                        + (inUse == 0 ? "; the agency has no other key in use then: add one with `turnaround agency keys add`" : ""))
            case .alreadyRetired(let at):
                throw CommandFailure.refused("key \(keyID) of agency \(agency) is retired already, from \(Instant.text(at))")
            case .unknown:
                throw CommandFailure.refused("agency \(agency) has no key \(keyID)")
            }
        }
    }

    struct ListKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List an agency's keys, oldest first.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id.") var agency: String
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func run() async throws {
            let keys = try await common.withPool { pool in try await pool.withConnection { try AgencyKeyTable.of(agency: agency, on: $0) } }
            guard !keys.isEmpty else { throw CommandFailure.refused("agency \(agency) is not registered") }
            let now = Date()
            Report(
                header: ["key_id", "algorithm", "valid_from", "retired_from", "status"],
                rows: keys.map { key in
                    [
                        key.keyID, key.algorithm, Instant.text(key.validFrom), key.retiredFrom.map(Instant.text) ?? "-",
                        key.retiredFrom.map { $0 <= now ? "retired" : "retiring" } ?? "in use",
                    ]
                }
            ).print(format, summary: "\(keys.count) key\(keys.count == 1 ? "" : "s") of agency \(agency)")
        }
    }
}
