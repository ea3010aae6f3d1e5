// swift-tools-version: 6.0
// The gfe harness: one numerical engine (OpenBLAS), datasets, an HDF5 store and the `gfe` command.
// Layering (lower never imports higher): C shims → GFECore → GFESolvers / GFEStore → GFEData → GFETraining →
// GFEExperiments (with GFEEmbedding) → gfe.
import Foundation
import PackageDescription

// Release builds of the engine (GFECore, GFESolvers) are compiled for the building machine's own CPU
// (`-target-cpu native`): the elementwise kernels (the loss, ELU: a fifth of an AMD attempt) vectorise as
// wide as the CPU allows (16 lanes on AVX-512, 8 on AVX2), ~15 % less time per AMD attempt on AVX-512 than
// an AVX2 build. Numbers do not change: Swift does not contract a·b + c into FMAs, lanes are independent and
// no reduction is reordered, so every build computes the bits of the generic one (the arithmetic golden
// test runs the release binary too). Such a binary runs only on CPUs with the building one's instructions:
// build where you run (on a cluster, on the nodes' kind of CPU). GFE_TARGET_CPU overrides the choice (an
// LLVM CPU name such as `haswell`, or `generic` for baseline x86-64).
let targetCPU = ProcessInfo.processInfo.environment["GFE_TARGET_CPU"] ?? "native"
let optimise: [SwiftSetting] =
    targetCPU == "generic" ? [] : [.unsafeFlags(["-target-cpu", targetCPU], .when(configuration: .release))]

let package = Package(
    name: "gfe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gfe", targets: ["gfe"]),
        .library(name: "GFECore", targets: ["GFECore"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0")
    ],
    targets: [
        // System libraries from Debian: libopenblas-dev, libhdf5-dev, zlib1g-dev.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Optimised in every configuration: at -O0 the vector kernel runs ~200× slower, which would make
        // debug test runs crawl (it carries the decoder's Float passes).
        .target(
            name: "CGFEKernels", path: "Sources/CGFEKernels", cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
        .target(name: "GFECore", dependencies: ["CBLAS", "CGFEKernels"], swiftSettings: optimise),
        .target(name: "GFESolvers", dependencies: ["GFECore"], swiftSettings: optimise),
        // Child processes (posix_spawn with pipes): sweep workers, helper commands, the bench, the tests.
        .target(
            name: "GFEProcess",
            dependencies: ["GFECore", .product(name: "SystemPackage", package: "swift-system")]),
        .target(
            name: "GFEData",
            dependencies: ["GFECore", "GFEStore", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "GFEStore",
            dependencies: ["GFECore", "CHDF5", .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "GFEEmbedding", dependencies: ["GFECore"]),
        // Training and evaluation of one run: configuration, trainers, evaluation.
        .target(name: "GFETraining", dependencies: ["GFECore", "GFESolvers", "GFEData", "GFEStore"]),
        // The experiment system: spec language, plan and run ids, run store, execution, tables, figures.
        .target(
            name: "GFEExperiments",
            dependencies: [
                "GFETraining", "GFECore", "GFESolvers", "GFEData", "GFEStore", "GFEEmbedding", "GFEProcess",
                .product(name: "SystemPackage", package: "swift-system")
            ]),
        .target(name: "GFETestSupport", dependencies: ["GFECore", "GFEProcess"]),
        .executableTarget(
            name: "gfe",
            dependencies: [
                "GFECore", "GFEData", "GFEStore", "GFESolvers", "GFETraining", "GFEExperiments",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]),
        .executableTarget(
            name: "GFEBench",
            dependencies: ["GFECore", "GFESolvers", "GFEData", "GFETraining", "GFEExperiments", "GFEProcess"]),

        .testTarget(name: "GFECoreTests", dependencies: ["GFECore", "GFETestSupport"]),
        .testTarget(name: "GFEDataTests", dependencies: ["GFEData", "GFEStore", "GFETestSupport"]),
        .testTarget(name: "GFEStoreTests", dependencies: ["GFEStore", "GFECore", "GFETestSupport"]),
        .testTarget(name: "GFESolversTests", dependencies: ["GFESolvers", "GFETestSupport"]),
        .testTarget(name: "GFEReferenceTests", dependencies: ["GFECore", "GFEStore", "GFESolvers", "GFETestSupport"]),
        .testTarget(name: "GFETrainingTests", dependencies: ["GFETraining", "GFETestSupport"]),
        .testTarget(name: "GFEExperimentsTests", dependencies: ["GFEExperiments", "GFETraining", "GFETestSupport"]),
        .testTarget(
            name: "GFECLITests",
            dependencies: [
                "GFEStore", "GFECore", "GFEData", "GFETraining", "GFEExperiments", "GFEProcess", "GFETestSupport"
            ]),
        .testTarget(name: "GFEEmbeddingTests", dependencies: ["GFEEmbedding", "GFETestSupport"]),
        .testTarget(name: "GFEProcessTests", dependencies: ["GFEProcess", "GFECore"])
    ],
    swiftLanguageModes: [.v6]
)
