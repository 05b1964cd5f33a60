import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// The operator's HTTP port: `/healthz` (the process is alive), `/readyz`
/// (Postgres answers and the consumer has joined its group) and `/metrics`
/// (Prometheus text format).
public struct OpsServer: Service {
    private let server: HTTPServer
    private let registry: PrometheusCollectorRegistry
    private let isReady: @Sendable () async -> (ready: Bool, reason: String)

    /// - Parameters:
    ///   - port: the TCP port, on every interface.
    ///   - isReady: whether the worker is ready, and if not, why.
    public init(
        port: UInt16, registry: PrometheusCollectorRegistry, logger: Logger,
        isReady: @escaping @Sendable () async -> (ready: Bool, reason: String)
    ) {
        self.server = HTTPServer(port: port, logger: SwiftLogBridge(logger: logger))
        self.registry = registry
        self.isReady = isReady
    }

    public func run() async throws {
        let registry = registry
        let isReady = isReady
        await server.appendRoute("GET /healthz") { _ in
            HTTPResponse(statusCode: .ok, body: Data("ok\n".utf8))
        }
        await server.appendRoute("GET /readyz") { _ in
            let (ready, reason) = await isReady()
            return HTTPResponse(statusCode: ready ? .ok : .serviceUnavailable, body: Data((reason + "\n").utf8))
        }
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(
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
