// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "patents",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "patents", targets: ["PatentsCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CGzip", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "PatentModel"),
        .target(name: "PatentImport", dependencies: [
            "PatentModel", "CGzip",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .target(name: "PatentStore", dependencies: [
            "PatentModel", "PatentImport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "PatentQuery"),
        .target(name: "PatentAnalysis", resources: [.copy("Resources/irregular-forms.tsv")]),
        .target(name: "PatentIndex", dependencies: ["PatentModel", "PatentAnalysis", "PatentStore"]),
        .target(name: "PatentSearch", dependencies: ["PatentModel", "PatentAnalysis", "PatentIndex", "PatentQuery"]),
        .target(name: "PatentCorpus", dependencies: ["PatentModel", "PatentAnalysis", "PatentStore"]),
        .target(name: "PatentTestSupport", dependencies: ["PatentCorpus"]),
        .executableTarget(name: "PatentsCLI", dependencies: [
            "PatentModel", "PatentImport", "PatentStore", "PatentQuery", "PatentIndex", "PatentSearch", "PatentCorpus",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "PatentModelTests", dependencies: ["PatentModel"]),
        .testTarget(name: "PatentImportTests", dependencies: [
            "PatentImport", "PatentModel", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "PatentStoreTests", dependencies: [
            "PatentStore", "PatentImport", "PatentModel", "PatentTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "PatentQueryTests", dependencies: ["PatentQuery", "PatentTestSupport"]),
        .testTarget(name: "PatentAnalysisTests", dependencies: ["PatentAnalysis"]),
        .testTarget(name: "PatentCorpusTests", dependencies: [
            "PatentCorpus", "PatentImport", "PatentModel", "PatentStore", "PatentTestSupport",
        ]),
        .testTarget(name: "PatentSearchTests", dependencies: [
            "PatentSearch", "PatentIndex", "PatentQuery", "PatentAnalysis", "PatentModel", "PatentStore", "PatentImport",
            "PatentTestSupport", "PatentCorpus",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
