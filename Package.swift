// swift-tools-version: 6.0
// The gfe harness: one numerical engine (OpenBLAS), datasets, an HDF5 store and the `gfe` command.
// Layering (lower never imports higher): C shims → GFECore → GFESolvers / GFEData / GFEStore → GFEHarness → gfe.
import PackageDescription

import Foundation

// Release builds of the engine target `haswell` (AVX2 + FMA) when the building machine has both, so the
// elementwise kernels (the loss, ELU: a fifth of an AMD attempt) vectorise 8 lanes wide instead of 4: ~10 %
// less CPU per AMD solve. Numbers do not change (Swift does not contract a·b + c into FMAs; lanes are
// independent): encodings and training runs were compared bit for bit against the generic build. Such a
// binary runs only on AVX2 machines: build where you run. GFE_TARGET_CPU overrides the choice (a CPU name
// such as `znver2`, or `generic` for baseline x86-64).
let hostHasAVX2FMA: Bool = {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    let set = Set(flags.split(separator: " "))
    return set.contains("avx2") && set.contains("fma")
}()
let targetCPU = ProcessInfo.processInfo.environment["GFE_TARGET_CPU"] ?? (hostHasAVX2FMA ? "haswell" : "generic")
let optimise: [SwiftSetting] = targetCPU == "generic" ? [] :
    [.unsafeFlags(["-target-cpu", targetCPU], .when(configuration: .release))]

let package = Package(
    name: "gfe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gfe", targets: ["gfe"]),
        .library(name: "GFECore", targets: ["GFECore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries from Debian: libopenblas-dev, libhdf5-dev, zlib1g-dev.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Optimised in every configuration: at -O0 the vector kernel runs ~200× slower, which would make
        // debug test runs crawl (it carries the decoder's Float passes).
        .target(name: "CGFEKernels", path: "Sources/CGFEKernels", cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]),
        .target(name: "GFECore", dependencies: ["CBLAS", "CGFEKernels"], swiftSettings: optimise),
        .target(name: "GFESolvers", dependencies: ["GFECore"], swiftSettings: optimise),
        .target(name: "GFEData", dependencies: ["GFECore", "CZlib"]),
        .target(name: "GFEStore", dependencies: ["GFECore", "CHDF5"]),
        .target(name: "GFEPlot", dependencies: ["GFECore", "GFEStore", "CZlib"]),
        .target(name: "GFEHarness", dependencies: ["GFECore", "GFESolvers", "GFEData", "GFEStore", "GFEPlot"]),
        .target(name: "GFETestSupport", dependencies: ["GFECore"]),
        .executableTarget(
            name: "gfe",
            dependencies: ["GFECore", "GFEData", "GFEStore", "GFESolvers", "GFEHarness",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "GFEBench", dependencies: ["GFECore", "GFESolvers", "GFEData", "GFEHarness"]),

        .testTarget(name: "GFECoreTests", dependencies: ["GFECore", "GFETestSupport"]),
        .testTarget(name: "GFEDataTests", dependencies: ["GFEData", "GFETestSupport"]),
        .testTarget(name: "GFEStoreTests", dependencies: ["GFEStore", "GFECore", "GFETestSupport"]),
        .testTarget(name: "GFESolversTests", dependencies: ["GFESolvers", "GFETestSupport"]),
        .testTarget(name: "GFEReferenceTests", dependencies: ["GFECore", "GFEStore", "GFESolvers"]),
        .testTarget(name: "GFEHarnessTests", dependencies: ["GFEHarness", "GFETestSupport"]),
        .testTarget(name: "GFECLITests", dependencies: ["GFEStore", "GFECore", "GFEHarness", "GFETestSupport"]),
        .testTarget(name: "GFEPlotTests", dependencies: ["GFEPlot", "GFETestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
