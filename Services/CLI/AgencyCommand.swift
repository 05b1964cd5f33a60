import ArgumentParser
import Contracts
import Digest
import Foundation
import Store

#if canImport(Glibc)
    import Glibc
#endif

struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency",
        abstract: "Register the partner agencies allowed to send referrals and evidence, and retire them.",
        subcommands: [Add.self, List.self, Retire.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an agency and write its new signing key to a file only its owner can read.",
            discussion: """
                Give the key file to the agency: `turnaround submit` signs with it. The key file is written first, \
                so an agency is never registered with its key lost; if registering fails, the file is removed.
                """)

        @OptionGroup var common: CommonOptions
        @Argument(help: "The agency's id, e.g. leeds-police (letters, digits and - _ . / :).") var id: String
        @Option(help: "The agency's name.") var name: String
        @Option(help: "Where to write the signing key (hex); must not exist yet.") var keyFile: String

        func validate() throws {
            do {
                try AgencyID.check(id)
            } catch {
                throw ValidationError("the agency id \"\(id)\" \(error.problem)")
            }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        }

        func run() async throws {
            let key = AgencySignature.newKey()
            try Self.createKeyFile(keyFile, holding: Data((Hex.encode(key) + "\n").utf8))
            do {
                try await common.withPool { pool in
                    try await pool.withConnection { try AgencyTable.register(id: id, name: name, signingKey: key, on: $0) }
                }
            } catch {
                unlink(keyFile)
                if let taken = error as? AgencyTable.AlreadyRegistered { throw CommandFailure.refused(taken.description) }
                throw error
            }
            common.say("registered agency \(id); its signing key is in \(keyFile)")
        }

        /// Creates `path` readable and writable by its owner alone, refusing a file that exists.
        static func createKeyFile(_ path: String, holding contents: Data) throws {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                if errno == EEXIST { throw CommandFailure.refused("\(path) exists already: choose a new file for the key") }
                throw CommandFailure.environment("cannot create the key file \(path): \(reason)")
            }
            let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let closed = close(descriptor)
            guard written == contents.count, closed == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw CommandFailure.environment("cannot write the key file \(path): \(reason)")
            }
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
}
