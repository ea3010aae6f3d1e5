import Foundation
import GFECore
import GFEExperiments
import GFEProcess
import GFESolvers
import GFETraining

// `make bench`: engine figures, each beside the single-thread sgemm peak measured in this same run, so ratios
// compare like with like on a noisy shared machine. Timings are medians of repeated blocks (Timing.swift).

// Usage: GFEBench [SECTION …]  (sections: decoder, kernel, gradients (part of kernel), ae, amd (one group and
// 64 groups), encode (the test set on two threads), scalar (the decoder at B = 16 on the scalar path); all by
// default). The parent finds the OpenBLAS kernel whose sgemm peak each vector code path of the kernel is held
// against, then runs the sections once per vector path this CPU has (fastest first), each in a child process
// with GFE_KERNEL set (a process has one path) and that OpenBLAS kernel chosen. The child times the peak again
// beside every figure, in the same rounds (Timing.swift): the speed of these shared machines drifts by up to
// 20 % within the hour, which a peak measured once at the start would turn into the ratios' error.
//
// A path's peak is OpenBLAS's best single-thread sgemm among its kernels for the same instruction set that
// this CPU runs (OPENBLAS_CORETYPE is read once, at load: each is measured in its own child process). The
// automatic choice alone would understate it where OpenBLAS does not know the CPU: OpenBLAS 0.3.21 runs its
// AVX2 Haswell kernel on Zen 4/5, at half the AVX-512 kernels' speed.
var arguments = Array(CommandLine.arguments.dropFirst())
/// Set in a child: the size of the square sgemm at which the parent found the peak.
var inheritedPeakSize: Int?
if let i = arguments.firstIndex(of: "--peak-size"), i + 1 < arguments.count, let value = Int(arguments[i + 1]) {
    inheritedPeakSize = value
    arguments.removeSubrange(i...(i + 1))
}
let sections = Set(arguments)
func wanted(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }

BLAS.setThreads(1)

/// Single-thread OpenBLAS sgemm GFLOP/s on square n×n products: the machine's practical peak.
func sgemmPeak() -> (gflops: Double, n: Int) {
    var best = (0.0, 0)
    for n in [512, 1024] {
        let peak = SgemmPeak(n: n)
        let g = peak.gflops()
        if g > best.0 { best = (g, n) }
    }
    return best
}

if sections == ["peak"] {
    // A child measuring one OpenBLAS kernel: its name and figure on one line.
    let peak = sgemmPeak()
    print("\(BLAS.coreName) \(peak.gflops) \(peak.n)")
    exit(0)
}

/// Runs this program again with `arguments` and `environment` added; its output goes to ours, or is returned.
func child(_ arguments: [String], environment: [String: String], capture: Bool) -> (status: Int32, output: String) {
    fflush(nil)  // before the child writes to the same output
    do {
        let run = try ChildProcess.spawn(
            "/proc/self/exe", arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            input: .nullDevice, output: capture ? .pipe : .inherit, errors: .inherit
        ).collect()
        return (run.status, run.output)
    } catch {
        return (-1, "\(error)")
    }
}

/// OpenBLAS kernels (OPENBLAS_CORETYPE names) using the instruction set of each vector path.
let openBLASCores: [KernelPath: [String]] = [
    .avx512: ["SkylakeX", "Cooperlake", "SapphireRapids"],
    .avx2: ["Haswell", "Zen"]
]

guard let peakSize = inheritedPeakSize else {
    // The parent: each path's peak, then each path's sections in its own process.
    print("gfe bench — OpenBLAS \(BLAS.configuration) (core \(BLAS.coreName)), BLAS threads \(BLAS.threads)")
    print(
        "CPU: \(Provenance.cpuModel); kernel paths this CPU runs: \(KernelPath.available.map(\.rawValue).joined(separator: ", "))"
    )
    let automatic = sgemmPeak()
    print(
        String(
            format: "sgemm single-thread, OpenBLAS's own choice (%@): %.1f GFLOP/s (n = %d)",
            BLAS.coreName, automatic.gflops, automatic.n))
    var peaks: [(path: KernelPath, name: String, gflops: Double, n: Int, core: String?)] = []
    for path in KernelPath.available where path != .scalar {
        var best = (name: BLAS.coreName, gflops: automatic.gflops, n: automatic.n, core: nil as String?)
        for core in openBLASCores[path] ?? [] {
            let run = child(["peak"], environment: ["OPENBLAS_CORETYPE": core], capture: true)
            let fields = run.output.split(whereSeparator: \.isWhitespace)
            guard run.status == 0, fields.count == 3, let g = Double(fields[1]), let n = Int(fields[2]) else {
                print("  OpenBLAS core \(core): could not measure (exit \(run.status))")
                continue
            }
            // OpenBLAS falls back to another kernel when the CPU lacks the named one's instructions.
            let ran = String(fields[0])
            print(String(format: "sgemm single-thread, OpenBLAS core %@ (ran %@): %.1f GFLOP/s", core, ran, g))
            if ran.caseInsensitiveCompare(core) == .orderedSame, g > best.gflops { best = (ran, g, n, core) }
        }
        peaks.append((path, best.name, best.gflops, best.n, best.core))
    }
    var status: Int32 = 0
    /// Runs one path's sections in a child; a failure is printed and makes the exit status 1.
    func runPath(_ name: String, _ arguments: [String], environment: [String: String]) {
        let run = child(arguments, environment: environment, capture: false)
        if run.status != 0 {
            print("the \(name) benchmarks failed: \(run.status) \(run.output)")
            status = 1
        }
    }
    // The vector paths' children get every section but `scalar`; asked for `scalar` alone, they do not run.
    let vectorSections = arguments.filter { $0 != "scalar" }
    for peak in peaks where arguments.isEmpty || !vectorSections.isEmpty {
        print(
            String(
                format: "\n=== kernel path %@, against OpenBLAS's %@ sgemm (%.1f GFLOP/s here at n = %d; every "
                    + "ratio below is against the peak timed beside that figure)", peak.path.rawValue, peak.name,
                peak.gflops, peak.n))
        // The child's BLAS comparisons run on that same OpenBLAS kernel.
        var environment = ["GFE_KERNEL": peak.path.rawValue]
        if let core = peak.core { environment["OPENBLAS_CORETYPE"] = core }
        runPath(peak.path.rawValue, ["--peak-size", String(peak.n)] + vectorSections, environment: environment)
    }
    if wanted("scalar") {
        // How much slower the path for CPUs without AVX2 + FMA is: only the decoder at B = 16 (on a CPU without
        // FMA each multiply-add is a call of the C library's software fmaf, and taller figures would take
        // minutes). A CPU with FMA, as this one if it runs a vector path, runs the path with FMA instructions.
        print(
            String(
                format: "\n=== kernel path scalar (CPUs without AVX2 + FMA; the same bits; FMA instructions where "
                    + "the CPU has FMA), against OpenBLAS's own choice, %@ (%.1f GFLOP/s at n = %d)",
                BLAS.coreName, automatic.gflops, automatic.n))
        runPath("scalar", ["--peak-size", String(automatic.n), "scalar"], environment: ["GFE_KERNEL": "scalar"])
    }
    exit(status)
}
/// The peak beside every figure of this child (its OpenBLAS kernel is the one the parent chose).
let peak = SgemmPeak(n: peakSize)
print("")

let decoderArchitecture = Architecture.decoder()
/// Σ over layers of in·out: a forward pass costs 2·B·this FLOP, so does an input-gradient backward pass.
let macsPerImage = (0..<decoderArchitecture.layerCount).reduce(0) {
    $0 + decoderArchitecture.sizes[$1] * decoderArchitecture.sizes[$1 + 1]
}
let firstLayerMacs = decoderArchitecture.sizes[0] * decoderArchitecture.sizes[1]

func report(_ name: String, _ share: PeakShare, flop: Double) {
    let label = name.padding(toLength: 34, withPad: " ", startingAt: 0)
    print(
        label
            + String(
                format: " %9.3f ms/call %8.2f MFLOP %7.1f GFLOP/s  %5.1f %% of sgemm peak",
                share.seconds * 1e3, flop / 1e6, share.gflops, 100 * share.ofPeak))
}

func benchDecoder(peak: SgemmPeak, batch: Int) {
    var rng = RNG(seed: 7, stream: "bench")
    let decoder = MLP<Float>(architecture: decoderArchitecture, seed: 2020)
    var objective = DecoderObjective(decoder: decoder, maxBatch: batch)
    let z = Matrix<Float>(rows: batch, cols: 20, storage: (0..<(batch * 20)).map { _ in rng.nextFloat() })
    let x = Matrix<Float>(rows: batch, cols: 784, storage: (0..<(batch * 784)).map { _ in rng.nextFloat() })
    var loss = [Float](repeating: 0, count: batch)
    var gradient = Matrix<Float>(rows: batch, cols: 20)
    var parameterGradient = [Float](repeating: 0, count: decoder.parameterCount)
    let b = Double(batch)
    let flop = 4 * b * Double(macsPerImage)
    let z1 = againstPeak(
        peak, flop: [flop], [{ objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient) }])
    report("decoder forward + ∇z, B = \(batch)", z1[0], flop: flop)
    if batch == 16 {
        // forward + ∂θ (2·B·in·out per layer) + input gradients of all layers but the first.
        let flopTheta = 2 * b * Double(2 * macsPerImage + (macsPerImage - firstLayerMacs))
        let theta = againstPeak(
            peak, flop: [flopTheta],
            [
                {
                    objective.lossAndParameterGradient(z: z, x: x, loss: &loss, parameterGradient: &parameterGradient)
                }
            ])
        report("decoder forward + ∇θ, B = \(batch)", theta[0], flop: flopTheta)
    }
}

if sections == ["scalar"] {
    benchDecoder(peak: peak, batch: 16)
}
if wanted("decoder") {
    benchDecoder(peak: peak, batch: 16)
    benchDecoder(peak: peak, batch: 1024)
    print("")
}
if wanted("kernel") {
    benchRowGemm(peak: peak, architecture: decoderArchitecture, rows: [16, 1024, 1536])
}
if wanted("kernel") || wanted("gradients") {
    benchParameterGradients(peak: peak, architecture: decoderArchitecture, batch: 16)
    print("")
}
if wanted("ae") {
    benchAutoencoderStep()
    print("")
}
if wanted("amd") || wanted("encode") {
    do {
        if wanted("amd") { try benchAMD(peak: peak, flopPerImageAttempt: 4 * Double(macsPerImage), groups: 64) }
        if wanted("encode") {
            try benchTestSetEncoding(peak: peak, flopPerImageAttempt: 4 * Double(macsPerImage), threads: 2)
        }
    } catch {
        print("AMD benchmark skipped: \(error) (run `make data` first)")
    }
}
