import ArgumentParser
import Foundation
import WorkerRuntime

/// When screening decides a family: once its events have stopped coming.
struct ScreeningOptions: ParsableArguments {
    @Option(help: "Milliseconds a family's events must stop coming before it is decided, so an acceptance and its evidence, spread over many batches, make one decision. Env SCREENING_SETTLE_MS; default 1000.")
    var settleMs: Int?

    @Option(help: "Seconds a family referred with no evidence yet, and never decided, waits for its first evidence before it is decided (not eligible). Env SCREENING_EVIDENCE_WAIT_S; default 300.")
    var evidenceWaitS: Int?

    /// - Throws: ``WorkerOptionsError`` naming the variable that is malformed.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ScreeningHandler.Timing {
        ScreeningHandler.Timing(
            settle: .milliseconds(
                try WorkerOptions.positiveNumber(settleMs, variable: "SCREENING_SETTLE_MS", default: 1000, environment: environment)),
            awaitingEvidence: .seconds(
                try WorkerOptions.positiveNumber(evidenceWaitS, variable: "SCREENING_EVIDENCE_WAIT_S", default: 300, environment: environment)))
    }
}
