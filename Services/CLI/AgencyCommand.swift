import ArgumentParser
import Contracts
import Digest
import Foundation
import Store

struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency",
        abstract: "Register the partner agencies allowed to send referrals and evidence.",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an agency and write its new signing key to a file only its owner can read.",
            discussion: "Give the key file to the agency: `turnaround submit` signs with it.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id, e.g. leeds-police (letters, digits and - _ . / :).") var id: String
        @Option(help: "The agency's name.") var name: String
        @Option(help: "Where to write the signing key (hex); must not exist yet.") var keyFile: String

        func run() async throws {
            let logger = common.makeLogger()
            guard !FileManager.default.fileExists(atPath: keyFile) else {
                throw ValidationError("\(keyFile) exists already: choose a new file for the key")
            }
            let key = AgencySignature.newKey()
            let pool = try await common.migratedPool(logger: logger)
            defer { pool.close() }
            try await pool.withConnection { try AgencyTable.register(id: id, name: name, signingKey: key, on: $0) }
            guard FileManager.default.createFile(atPath: keyFile, contents: Data((Hex.encode(key) + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else { throw ValidationError("cannot write \(keyFile)") }
            print("registered agency \(id); its signing key is in \(keyFile)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered agencies.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let logger = common.makeLogger()
            let pool = try await common.migratedPool(logger: logger)
            defer { pool.close() }
            for agency in try await pool.withConnection({ try AgencyTable.all(on: $0) }) {
                print("\(agency.id)\t\(agency.name)\t\(agency.isRetired ? "retired" : "active")")
            }
        }
    }
}
