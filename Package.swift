// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "rehearse",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rehearse", targets: ["rehearse"]),
        .library(name: "Rehearsal", targets: ["Rehearsal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The libpq layer: the only place that sees libpq's C API.
        .target(name: "PostgresClient", dependencies: ["CLibPQ"]),
        .target(
            name: "Rehearsal",
            dependencies: [
                "PostgresClient",
                "CZstd",
                "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "rehearse",
            dependencies: [
                "Rehearsal",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Golden files are read from the source tree by path, not bundled.
        .testTarget(
            name: "RehearsalTests",
            dependencies: ["Rehearsal", "PostgresClient", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Golden"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Rehearsal", "PostgresClient", .product(name: "Yams", package: "Yams")]),
    ],
    swiftLanguageModes: [.v6]
)
