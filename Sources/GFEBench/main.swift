import Foundation
import GFECore
import GFEHarness
import GFESolvers

// `make bench`: engine figures, each beside the single-thread sgemm peak measured in this same run, so ratios
// compare like with like on a noisy shared machine. Timings are medians of repeated blocks (Timing.swift).

// Usage: GFEBench [SECTION …]  (sections: decoder, kernel, ae, amd; all by default). The parent measures the
// OpenBLAS sgemm peak, then runs the sections once per vector code path of the kernel this CPU has (fastest
// first), each in a child process with GFE_KERNEL set (a process has one path) and the parent's peak passed
// down, so every ratio on the page is against the same measured peak.
var arguments = Array(CommandLine.arguments.dropFirst())
/// Set in a child: the peak measured by the parent.
var inheritedPeak: Double?
if let i = arguments.firstIndex(of: "--peak"), i + 1 < arguments.count, let value = Double(arguments[i + 1]) {
    inheritedPeak = value
    arguments.removeSubrange(i...(i + 1))
}
let sections = Set(arguments)
func wanted(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }

BLAS.setThreads(1)

/// Single-thread OpenBLAS sgemm GFLOP/s on square n×n products: the machine's practical peak.
func sgemmPeak() -> (gflops: Double, n: Int) {
    var best = (0.0, 0)
    for n in [512, 1024] {
        var rng = RNG(seed: 1)
        let a = Matrix<Float>(rows: n, cols: n, storage: (0..<(n * n)).map { _ in rng.nextFloat() })
        let b = Matrix<Float>(rows: n, cols: n, storage: (0..<(n * n)).map { _ in rng.nextFloat() })
        var c = Matrix<Float>(rows: n, cols: n)
        let s = secondsPerCall { blasProduct(a, b, into: &c) }
        let g = 2 * Double(n * n * n) / s / 1e9
        if g > best.0 { best = (g, n) }
    }
    return best
}

guard let peakGflops = inheritedPeak else {
    // The parent: the peak, then each vector path in its own process.
    print("gfe bench — OpenBLAS \(BLAS.configuration) (core \(BLAS.coreName)), BLAS threads \(BLAS.threads)")
    print("CPU: \(Provenance.cpuModel); kernel paths this CPU runs: \(KernelPath.available.map(\.rawValue).joined(separator: ", "))")
    let peak = sgemmPeak()
    print(String(format: "sgemm single-thread peak: %.1f GFLOP/s (n = %d)", peak.gflops, peak.n))
    var status: Int32 = 0
    for path in KernelPath.available where path != .scalar {
        print("\n=== kernel path \(path.rawValue)")
        fflush(nil)   // before the child writes to the same output
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["--peak", String(peak.gflops)] + arguments
        child.environment = ProcessInfo.processInfo.environment.merging(["GFE_KERNEL": path.rawValue]) { $1 }
        do {
            try child.run()
            child.waitUntilExit()
            if child.terminationStatus != 0 { status = child.terminationStatus }
        } catch {
            print("could not run the \(path.rawValue) benchmarks: \(error)")
            status = 1
        }
    }
    print("\n(the scalar path computes the same bits far more slowly; it is for CPUs without AVX2 + FMA)")
    exit(status)
}
let peak = (gflops: peakGflops, n: 0)
print("")

let decoderArchitecture = Architecture.decoder()
/// Σ over layers of in·out: a forward pass costs 2·B·this FLOP, so does an input-gradient backward pass.
let macsPerImage = (0..<decoderArchitecture.layerCount).reduce(0) {
    $0 + decoderArchitecture.sizes[$1] * decoderArchitecture.sizes[$1 + 1]
}
let firstLayerMacs = decoderArchitecture.sizes[0] * decoderArchitecture.sizes[1]

func report(_ name: String, seconds: Double, flop: Double) {
    let g = flop / seconds / 1e9
    let label = name.padding(toLength: 34, withPad: " ", startingAt: 0)
    print(label + String(format: " %9.3f ms/call %8.2f MFLOP %7.1f GFLOP/s  %5.1f %% of sgemm peak",
                         seconds * 1e3, flop / 1e6, g, 100 * g / peak.gflops))
}

func benchDecoder(batch: Int) {
    var rng = RNG(seed: 7, stream: "bench")
    let decoder = MLP<Float>(architecture: decoderArchitecture, seed: 2020)
    var objective = DecoderObjective(decoder: decoder, maxBatch: batch)
    let z = Matrix<Float>(rows: batch, cols: 20, storage: (0..<(batch * 20)).map { _ in rng.nextFloat() })
    let x = Matrix<Float>(rows: batch, cols: 784, storage: (0..<(batch * 784)).map { _ in rng.nextFloat() })
    var loss = [Float](repeating: 0, count: batch)
    var gradient = Matrix<Float>(rows: batch, cols: 20)
    var parameterGradient = [Float](repeating: 0, count: decoder.parameterCount)
    let b = Double(batch)
    let sz = secondsPerCall { objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient) }
    report("decoder forward + ∇z, B = \(batch)", seconds: sz, flop: 4 * b * Double(macsPerImage))
    if batch == 16 {
        let st = secondsPerCall {
            objective.lossAndParameterGradient(z: z, x: x, loss: &loss, parameterGradient: &parameterGradient)
        }
        // forward + ∂θ (2·B·in·out per layer) + input gradients of all layers but the first.
        report("decoder forward + ∇θ, B = \(batch)", seconds: st,
               flop: 2 * b * Double(2 * macsPerImage + (macsPerImage - firstLayerMacs)))
    }
}

if wanted("decoder") {
    benchDecoder(batch: 16)
    benchDecoder(batch: 1024)
    print("")
}
if wanted("kernel") {
    benchRowGemm(peak: peak.gflops, architecture: decoderArchitecture, rows: [16, 1024, 1536])
    benchParameterGradients(peak: peak.gflops, architecture: decoderArchitecture, batch: 16)
    print("")
}
if wanted("ae") {
    benchAutoencoderStep()
    print("")
}
if wanted("amd") {
    do {
        try benchAMD(peak: peak.gflops, flopPerImageAttempt: 4 * Double(macsPerImage), groups: 64)
        try benchTestSetEncoding(peak: peak.gflops, flopPerImageAttempt: 4 * Double(macsPerImage), threads: 2)
    } catch {
        print("AMD benchmark skipped: \(error) (run `make data` first)")
    }
}
