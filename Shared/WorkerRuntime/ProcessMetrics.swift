import Foundation
import Postgres
import Prometheus
import Settings

/// The process's own gauges, brought up to date at each scrape: memory, CPU
/// time, open files (from `/proc/self`), the database pool's use, and which
/// build runs (`TURNAROUND_VERSION`, set by the image).
struct ProcessMetrics: Sendable {
    private let service: String
    private let registry: PrometheusCollectorRegistry
    private let pool: PostgresPool

    init(service: String, registry: PrometheusCollectorRegistry, pool: PostgresPool,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.service = service
        self.registry = registry
        self.pool = pool
        registry.gauge("turnaround_build_info", labels: [("service", service), ("version", Self.version(environment))],
            help: "Always 1: which service and build the process runs."
        ).set(Int64(1))
        registry.gauge("process_start_time_seconds", labels: [("service", service)], help: "When the process started, in seconds since 1970.")
            .set(Date().timeIntervalSince1970)
        update()
    }

    /// The image's `TURNAROUND_VERSION`; any text is a version.
    private static func version(_ environment: [String: String]) -> String {
        (try? SettingsReader(environment: environment).value(ServiceSettings.version)) ?? "unknown"
    }

    func update() {
        let labels = [("service", service)]
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let residentPages = statm.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        {
            registry.gauge("process_resident_memory_bytes", labels: labels, help: "Resident memory of the process, in bytes.")
                .set(residentPages * Int64(sysconf(Int32(_SC_PAGESIZE))))
        }
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ")
        {
            // Fields after the command's name: utime and stime are the 12th and 13th.
            let fields = stat[afterName.upperBound...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                registry.gauge("process_cpu_seconds", labels: labels, help: "CPU time the process used, user and system, in seconds.")
                    .set((user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            registry.gauge("process_open_fds", labels: labels, help: "File descriptors the process has open.").set(Int64(descriptors.count))
        }
        let usage = pool.usage
        registry.gauge("turnaround_db_pool_leased", labels: labels, help: "Database connections leased to a task now.")
            .set(Int64(usage.leased))
        registry.gauge("turnaround_db_pool_idle", labels: labels, help: "Database connections open and idle.")
            .set(Int64(usage.idle))
        registry.gauge("turnaround_db_pool_waiting", labels: labels, help: "Tasks waiting for a database connection.")
            .set(Int64(usage.waiting))
    }
}
