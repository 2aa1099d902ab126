// swift-tools-version: 6.1
// libFuzzer targets for the query parser and the document readers; built only by
// scripts/fuzz.sh (`-sanitize=fuzzer,address`), never by `make test`.
import PackageDescription

let package = Package(
    name: "patents-fuzz",
    dependencies: [.package(name: "patents", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzQuery", dependencies: ["FuzzDriver", .product(name: "PatentQuery", package: "patents")]),
        .executableTarget(name: "FuzzDocuments", dependencies: ["FuzzDriver", .product(name: "PatentImport", package: "patents")]),
    ],
    swiftLanguageModes: [.v6]
)
