import ArgumentParser
import Foundation
import Kafka
import Postgres
import Settings
import Store

/// What a command that ran could not do, and the exit status that says so:
/// 0 done, 1 refused (the input or the state it found does not allow it),
/// 2 the environment or a server stands in the way, 64 a usage mistake.
enum CommandFailure: Error, CustomStringConvertible {
    /// The input, or the state the command found, does not allow it (exit 1).
    case refused(String)
    /// The environment or a server stands in the way (exit 2).
    case environment(String)

    var description: String {
        switch self {
        case .refused(let reason), .environment(let reason): reason
        }
    }

    static let refusedStatus = ExitCode(1)
    static let environmentStatus = ExitCode(2)
}

extension Turnaround {
    /// Runs the command, and for a failure prints one line saying why (with
    /// no source path) and exits with the status its kind has.
    static func main() async {
        let arguments = globalOptionsLast(Array(CommandLine.arguments.dropFirst()))
        if let unknown = unknownCommand(in: arguments) { exit(withError: ValidationError(unknown)) }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard let (message, status) = explained(error) else { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
            exit(withError: status)
        }
    }

    /// Options every command takes, given before the command's name (`turnaround
    /// --timeout 30 families`), moved after it, where the command reads them.
    static func globalOptionsLast(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if ["--log-level", "--timeout"].contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first == "--quiet" {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return Array(rest) + leading
    }

    /// "Unknown command …, did you mean …?" for a command name misspelt where
    /// only command names can stand; nil when the names are all known.
    static func unknownCommand(in arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = Turnaround.self
        var path = ["turnaround"]
        for argument in arguments {
            // Past the first option, the words are its values or the command's arguments.
            guard !argument.hasPrefix("-") else { return nil }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, command.configuration.defaultSubcommand == nil else { return nil }
            let names = subcommands.map { $0._commandName }
            guard let next = subcommands.first(where: { $0._commandName == argument }) else {
                let closest = names.map { ($0, editDistance($0, argument)) }.min { $0.1 < $1.1 }
                let suggestion = closest.flatMap { $0.1 <= 2 ? " Did you mean '\($0.0)'?" : nil } ?? ""
                return "Unknown command '\(argument)' for '\(path.joined(separator: " "))'.\(suggestion) Commands: \(names.joined(separator: ", "))"
            }
            command = next
            path.append(argument)
        }
        return nil
    }

    /// Levenshtein's distance: the edits that turn one word into the other.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let (a, b) = (Array(left), Array(right))
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The message and status of a failure that is not a usage mistake; nil
    /// for what the argument parser reports itself.
    static func explained(_ error: any Error) -> (String, ExitCode)? {
        switch error {
        case let failure as CommandFailure:
            if case .refused = failure { (failure.description, CommandFailure.refusedStatus) } else { (failure.description, CommandFailure.environmentStatus) }
        case let error as PostgresError where error.sqlState == "42501":
            (
                "PostgreSQL refused this command the rights it needs (\(error.summary)): connect as a login in the command's role"
                    + " (turnaround_coordinator, turnaround_finance or turnaround_auditor: the README's table of commands says which)",
                CommandFailure.environmentStatus
            )
        case let error as PostgresError:
            ("PostgreSQL: \(error.summary)", CommandFailure.environmentStatus)
        case let error as KafkaError:
            ("Kafka (\(ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "no KAFKA_BROKERS")): \(error.summary)", CommandFailure.environmentStatus)
        case let error as SchemaNotCurrent:
            (error.description, CommandFailure.environmentStatus)
        case let error as MigrationError:
            (error.description, CommandFailure.environmentStatus)
        case let error as SettingError:
            (error.description, CommandFailure.environmentStatus)
        default:
            nil
        }
    }
}
