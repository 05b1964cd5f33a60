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
        do {
            var command = try parseAsRoot()
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

    /// The message and status of a failure that is not a usage mistake; nil
    /// for what the argument parser reports itself.
    static func explained(_ error: any Error) -> (String, ExitCode)? {
        switch error {
        case let failure as CommandFailure:
            if case .refused = failure { (failure.description, CommandFailure.refusedStatus) } else { (failure.description, CommandFailure.environmentStatus) }
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
