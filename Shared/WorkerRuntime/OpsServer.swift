import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// The operator's HTTP port: `/healthz` (the process is alive: its loops
/// turn), `/readyz` (it can make progress now) and `/metrics` (Prometheus
/// text format). Each health answer says why when it is not 200.
public struct OpsServer: Service {
    /// A health answer: whether it holds, and the words the endpoint returns.
    public typealias Check = @Sendable () async -> (passed: Bool, reason: String)

    private let server: HTTPServer
    private let registry: PrometheusCollectorRegistry
    private let isAlive: Check
    private let isReady: Check
    private let beforeScrape: @Sendable () async -> Void

    /// - Parameters:
    ///   - port: the TCP port, on every interface.
    ///   - isAlive: whether the process still works (an orchestrator restarts it when not).
    ///   - isReady: whether the worker can make progress now (an orchestrator sends it no work when not).
    ///   - beforeScrape: brings gauges read at scrape time (process, pool, readiness) up to date.
    public init(
        port: UInt16, registry: PrometheusCollectorRegistry, logger: Logger, beforeScrape: @escaping @Sendable () async -> Void = {},
        isAlive: @escaping Check, isReady: @escaping Check
    ) {
        self.server = HTTPServer(port: port, logger: SwiftLogBridge(logger: logger))
        self.registry = registry
        self.beforeScrape = beforeScrape
        self.isAlive = isAlive
        self.isReady = isReady
    }

    public func run() async throws {
        let registry = registry
        let isAlive = isAlive
        let isReady = isReady
        let beforeScrape = beforeScrape
        await server.appendRoute("GET /healthz") { _ in
            let (alive, reason) = await isAlive()
            return HTTPResponse(statusCode: alive ? .ok : .serviceUnavailable, body: Data((reason + "\n").utf8))
        }
        await server.appendRoute("GET /readyz") { _ in
            let (ready, reason) = await isReady()
            return HTTPResponse(statusCode: ready ? .ok : .serviceUnavailable, body: Data((reason + "\n").utf8))
        }
        await server.appendRoute("GET /metrics") { _ in
            await beforeScrape()
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: Data(registry.emitToBuffer()))
        }
        do {
            try await cancelWhenGracefulShutdown { try await server.run() }
        } catch where Task.isShuttingDownGracefully {
            // The server ends by cancellation: that is how a graceful shutdown stops it.
        }
    }
}

/// FlyingFox's log lines, into swift-log at debug level.
private struct SwiftLogBridge: FlyingSocks.Logging {
    let logger: Logger

    func logDebug(_ debug: @autoclosure () -> String) { logger.debug("http server", metadata: ["detail": "\(debug())"]) }
    func logInfo(_ info: @autoclosure () -> String) { logger.debug("http server", metadata: ["detail": "\(info())"]) }
    func logWarning(_ warning: @autoclosure () -> String) { logger.info("http server", metadata: ["detail": "\(warning())"]) }
    func logError(_ error: @autoclosure () -> String) { logger.info("http server", metadata: ["detail": "\(error())"]) }
    func logCritical(_ critical: @autoclosure () -> String) { logger.info("http server", metadata: ["detail": "\(critical())"]) }
}
