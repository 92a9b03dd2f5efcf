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
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "Rehearsal",
            dependencies: [
                "CLibPQ",
                "CZstd",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "rehearse",
            dependencies: [
                "Rehearsal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Golden files are read from the source tree by path, not bundled.
        .testTarget(name: "RehearsalTests", dependencies: ["Rehearsal"], exclude: ["Golden"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Rehearsal"]),
    ],
    swiftLanguageModes: [.v6]
)
