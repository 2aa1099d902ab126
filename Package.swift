// swift-tools-version: 6.1
import PackageDescription

let engineSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "patents",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "patents", targets: ["PatentsCLI"]),
        // For the fuzz targets in Fuzz/ (scripts/fuzz.sh): the query parser and the document readers.
        .library(name: "PatentQuery", targets: ["PatentQuery"]),
        .library(name: "PatentImport", targets: ["PatentImport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CGzip", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),
        .target(name: "PatentModel", dependencies: ["CZstd"]),
        .target(name: "PatentImport", dependencies: [
            "PatentModel", "CGzip",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .target(name: "PatentStore", dependencies: [
            "PatentModel",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "PatentQuery"),
        .target(name: "PatentAnalysis", resources: [.copy("Resources/irregular-forms.tsv")]),
        // The engine's inner loops mutate iterators held by classes; Swift's run-time
        // exclusivity checks cost a quarter of a query there. Searches and builds are
        // single-threaded over their own objects, which is what the checks would guard.
        .target(name: "PatentIndex", dependencies: ["PatentModel", "PatentAnalysis", "CGzip"], swiftSettings: engineSettings),
        .target(name: "PatentIngest", dependencies: ["PatentModel", "PatentImport", "PatentStore", "PatentAnalysis", "PatentIndex"]),
        .target(name: "PatentSearch", dependencies: ["PatentModel", "PatentAnalysis", "PatentIndex", "PatentQuery"],
                swiftSettings: engineSettings),
        .target(name: "PatentExport", dependencies: [
            "PatentModel", "PatentQuery", "CPangoCairo", "CGzip", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Clients, credentials, prices, the ledger and quotas (what pays for exports).
        .target(name: "PatentAccounts", dependencies: [
            "PatentQuery",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PatentTasks", dependencies: [
            "PatentModel", "PatentQuery", "PatentStore", "PatentIndex", "PatentSearch", "PatentExport", "PatentAccounts",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "PatentHTTP", dependencies: [
            "PatentModel", "PatentQuery", "PatentStore", "PatentIndex", "PatentSearch", "PatentExport", "PatentAccounts", "PatentTasks",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], resources: [.copy("Resources/openapi.json"), .copy("Resources/web")]),
        // Shared state on PostgreSQL for several `patents serve` nodes (many machines).
        .target(name: "PatentObjectStore", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "PatentPostgres", dependencies: [
            "PatentAccounts", "PatentTasks", "PatentStore", "PatentIngest", "PatentModel", "PatentIndex", "PatentObjectStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .target(name: "PatentCorpus", dependencies: ["PatentModel", "PatentAnalysis", "PatentStore"]),
        .target(name: "PatentTestSupport", dependencies: ["PatentCorpus", "PatentStore"]),
        .executableTarget(name: "PatentsCLI", dependencies: [
            "PatentModel", "PatentImport", "PatentStore", "PatentQuery", "PatentIndex", "PatentSearch", "PatentCorpus",
            "PatentExport", "PatentAccounts", "PatentTasks", "PatentHTTP", "PatentIngest", "PatentPostgres", "PatentObjectStore", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "PatentModelTests", dependencies: ["PatentModel", "PatentTestSupport"]),
        .testTarget(name: "PatentImportTests", dependencies: [
            "PatentImport", "PatentModel", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "PatentStoreTests", dependencies: [
            "PatentStore", "PatentIngest", "PatentImport", "PatentModel", "PatentTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "PatentQueryTests", dependencies: ["PatentQuery", "PatentTestSupport"]),
        .testTarget(name: "PatentAnalysisTests", dependencies: ["PatentAnalysis", "PatentTestSupport"]),
        .testTarget(name: "PatentCorpusTests", dependencies: [
            "PatentCorpus", "PatentImport", "PatentModel", "PatentStore", "PatentIngest", "PatentTestSupport",
        ]),
        .testTarget(name: "PatentExportTests", dependencies: [
            "PatentExport", "PatentModel", "PatentQuery", "PatentImport", "PatentTestSupport",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "PatentHTTPTests", dependencies: [
            "PatentHTTP", "PatentAccounts", "PatentTasks", "PatentExport", "PatentSearch", "PatentIndex", "PatentStore", "PatentImport",
            "PatentIngest", "PatentModel", "PatentQuery", "PatentTestSupport", "PatentPostgres", "PatentObjectStore",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "PatentPostgresTests", dependencies: [
            "PatentPostgres", "PatentAccounts", "PatentTasks", "PatentTestSupport", "PatentStore", "PatentModel",
            "PatentObjectStore", "PatentIndex", "PatentIngest", "PatentImport", "PatentSearch", "PatentQuery",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "PatentObjectStoreTests", dependencies: ["PatentObjectStore", "PatentTestSupport"]),
        .testTarget(name: "PatentSearchTests", dependencies: [
            "PatentSearch", "PatentIndex", "PatentQuery", "PatentAnalysis", "PatentModel", "PatentStore", "PatentImport",
            "PatentIngest", "PatentTestSupport", "PatentCorpus",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
