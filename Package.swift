// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// What every service executable builds on.
let serviceDependencies: [Target.Dependency] = [
    "WorkerRuntime", "Contracts", "Rules", "Vocabulary", "Store", "Postgres", "Kafka", "StageLogic", "Settings",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "Logging", package: "swift-log"),
]

let package = Package(
    name: "Turnaround",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "turnaround", targets: ["TurnaroundCLI"]),
        .executable(name: "turnaround-intake", targets: ["turnaround-intake"]),
        .executable(name: "turnaround-screening", targets: ["turnaround-screening"]),
        .executable(name: "turnaround-claims", targets: ["turnaround-claims"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Vocabulary", targets: ["Vocabulary"]),
        .library(name: "Settings", targets: ["Settings"]),
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Contracts", targets: ["Contracts"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "WorkerRuntime", targets: ["WorkerRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // C libraries: a module map and a shim header each, nothing else.
        .systemLibrary(
            name: "CLibpq", path: "Shared/CLibpq", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CRdKafka", path: "Shared/CRdKafka", pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]),

        // Shared libraries, one job each.
        .target(
            name: "Postgres", dependencies: ["CLibpq", "Settings", .product(name: "Logging", package: "swift-log")],
            path: "Shared/Postgres", swiftSettings: strictSettings),
        .target(
            name: "Kafka", dependencies: ["CRdKafka", "Settings", .product(name: "Logging", package: "swift-log")],
            path: "Shared/Kafka", swiftSettings: strictSettings),
        .target(
            name: "Digest", dependencies: [.product(name: "Crypto", package: "swift-crypto")], path: "Shared/Digest",
            swiftSettings: strictSettings),
        .target(name: "Vocabulary", path: "Shared/Vocabulary", swiftSettings: strictSettings),
        .target(name: "Settings", dependencies: ["Vocabulary"], path: "Shared/Settings", swiftSettings: strictSettings),
        .target(
            name: "Rules", dependencies: ["Vocabulary", "Digest"], path: "Shared/Rules", resources: [.copy("Rulesets")],
            swiftSettings: strictSettings),
        .target(name: "Contracts", dependencies: ["Vocabulary", "Digest", "Settings"], path: "Shared/Contracts", swiftSettings: strictSettings),
        .target(
            name: "Reports", dependencies: ["Vocabulary", .product(name: "Plot", package: "Plot")], path: "Shared/Reports",
            swiftSettings: strictSettings),
        .target(
            name: "Store", dependencies: ["Postgres", .product(name: "Logging", package: "swift-log")],
            path: "Shared/Store", resources: [.copy("Migrations"), .copy("Grants.sql")], swiftSettings: strictSettings),

        .target(
            name: "WorkerRuntime",
            dependencies: [
                "Postgres", "Kafka", "Store", "Contracts", "Digest", "Settings",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ],
            path: "Shared/WorkerRuntime", swiftSettings: strictSettings),

        // What the stages do, apart from the servers: intake's matching, screening's
        // deciding, claims' measuring, and what screening and claims share.
        .target(
            name: "StageLogic",
            dependencies: [
                "Contracts", "Rules", "Vocabulary", "Store", "Postgres", "Digest", "Settings", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Shared/StageLogic", swiftSettings: strictSettings),

        // Executables: the services, then the CLI.
        .executableTarget(
            name: "turnaround-intake", dependencies: serviceDependencies + ["Digest"], path: "Services/Intake",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "turnaround-screening", dependencies: serviceDependencies, path: "Services/Screening",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "turnaround-claims", dependencies: serviceDependencies, path: "Services/Claims", swiftSettings: strictSettings),
        .executableTarget(
            name: "TurnaroundCLI",
            dependencies: [
                "Postgres", "Kafka", "Store", "Contracts", "Rules", "Vocabulary", "Digest", "StageLogic", "Settings", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            path: "Services/CLI", swiftSettings: strictSettings),
        .executableTarget(
            name: "turnaround-bench",
            dependencies: [
                "Postgres", "Kafka", "Rules", "Vocabulary", "Store", "WorkerRuntime", "Contracts", "Digest", "StageLogic", "Reports",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/Sources", swiftSettings: strictSettings),

        // Tests: a unit target per library, needing no server, and one target of
        // integration tests (`swift test --skip IntegrationTests` runs the units alone).
        .target(
            name: "IntegrationSupport",
            dependencies: [
                "Postgres", "Store", "Kafka", .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Tests/IntegrationSupport", swiftSettings: strictSettings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"], swiftSettings: strictSettings),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "Settings", "IntegrationSupport"], swiftSettings: strictSettings),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Vocabulary", "Contracts"], resources: [.copy("IndicatorCases")], swiftSettings: strictSettings),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Vocabulary"], swiftSettings: strictSettings),
        .testTarget(name: "DigestTests", dependencies: ["Digest"], swiftSettings: strictSettings),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "Vocabulary"], swiftSettings: strictSettings),
        .testTarget(
            name: "ContractsTests", dependencies: ["Contracts", "Vocabulary"], resources: [.copy("Fixtures")], swiftSettings: strictSettings),
        .executableTarget(
            name: "turnaround-testworker",
            dependencies: [
                "WorkerRuntime", "Store", "Kafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fixtures/TestWorker", swiftSettings: strictSettings),
        .testTarget(
            name: "WorkerRuntimeTests",
            dependencies: [
                "WorkerRuntime", "Kafka", "Contracts", "Settings",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "StageLogicTests", dependencies: ["StageLogic", "Contracts", "Store", "Rules", "Vocabulary"], swiftSettings: strictSettings),
        // Against the real servers `scripts/dev test` starts: the libraries'
        // integration, the worker runtime's processes and the whole pipeline.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "IntegrationSupport", "WorkerRuntime", "Store", "Postgres", "Kafka", "Contracts", "Rules", "Vocabulary", "StageLogic", "Reports", "Digest",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
    ]
)
