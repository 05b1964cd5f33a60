import ArgumentParser
import Foundation
import Store
import WorkerRuntime

/// When screening decides a family: once its events have stopped coming.
struct ScreeningOptions: ParsableArguments {
    @Option(help: "Milliseconds a family's events must stop coming before it is decided, so an acceptance and its evidence make one decision. A family's records reach screening through several partitions, which are not read in step: under a bulk load they arrive seconds apart. Env SCREENING_SETTLE_MS; default 15000.")
    var settleMs: Int?

    @Option(help: "Seconds a family referred with no evidence yet, and never decided, waits for its first evidence before it is decided (not eligible). Env SCREENING_EVIDENCE_WAIT_S; default 300.")
    var evidenceWaitS: Int?

    @Option(help: "Seconds at most between a family's first event since its last decision and its next decision, however often its events keep coming. Env SCREENING_LONGEST_WAIT_S; default 900.")
    var longestWaitS: Int?

    /// - Throws: ``WorkerOptionsError`` naming the variable that is malformed.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ScreeningPendingTable.Windows {
        ScreeningPendingTable.Windows(
            settle: .milliseconds(
                try WorkerOptions.positiveNumber(settleMs, variable: "SCREENING_SETTLE_MS", default: 15_000, environment: environment)),
            awaitingEvidence: .seconds(
                try WorkerOptions.positiveNumber(evidenceWaitS, variable: "SCREENING_EVIDENCE_WAIT_S", default: 300, environment: environment)),
            longestWait: .seconds(
                try WorkerOptions.positiveNumber(longestWaitS, variable: "SCREENING_LONGEST_WAIT_S", default: 900, environment: environment)))
    }
}
