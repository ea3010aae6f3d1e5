import GFECore
import GFETestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Shared test inputs. Every random draw is seeded, so failures reproduce.
enum Fixtures {
    /// A decoder narrow enough to check every coordinate by finite differences.
    static let narrow = Architecture(name: "decoder", sizes: [3, 5, 4, 6])
    /// The SPEC §2 decoder.
    static let real = Architecture.decoder()

    /// rows × cols with entries uniform in [lo, hi).
    static func uniform(_ rows: Int, _ cols: Int, seed: UInt64, _ lo: Double = -1, _ hi: Double = 1) -> Matrix<Double> {
        var rng = RNG(seed: seed, stream: "fixture")
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform(lo, hi) })
    }

    /// Targets in [0, 1] that include the exact values 0, 0.3 and 1 as well as generic ones.
    static func targets(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix<Double> {
        var rng = RNG(seed: seed, stream: "targets")
        let special: [Double] = [0, 0.3, 1]
        return Matrix(
            rows: rows, cols: cols,
            storage: (0..<(rows * cols)).map { i in
                i % 4 == 3 ? rng.nextDouble() : special[i % 4]
            })
    }

    /// A Double network with PyTorch initialisation, its weights scaled by `gain` so both ELU branches and
    /// non-trivial curvature are exercised.
    static func network(_ architecture: Architecture, seed: UInt64, gain: Double = 1) -> MLP<Double> {
        var mlp = MLP<Double>(architecture: architecture, seed: seed)
        for i in mlp.parameters.indices { mlp.parameters[i] *= gain }
        return mlp
    }

    /// Interesting coordinates of a parameter vector: the first and last element of every tensor.
    static func tensorEnds(_ architecture: Architecture) -> [Int] {
        architecture.tensors.flatMap { [$0.offset, $0.offset + $0.count - 1] }
    }
}

/// ℓ per pixel straight from the SPEC §3 formula, with σ(y) = 1/(1 + e^(−y)) and 1 − σ(y) = e^(−y)/(1 + e^(−y))
/// (exact at |y| ≤ 50 in Double): an independent implementation for the kernel tests.
func referencePixelLoss(_ y: Double, _ x: Double) -> Double {
    let e = exp(-y)
    let s = 1 / (1 + e)
    let sBar = e / (1 + e)
    return -x * log(s + 1e-8) - (1 - x) * log(sBar + 1e-8)
}

/// dℓ/dy per pixel (before the 1/P) from the formula of the brief, σ as in `referencePixelLoss`.
func referencePixelDerivative(_ y: Double, _ x: Double) -> Double {
    let e = exp(-y)
    let s = 1 / (1 + e)
    let sBar = e / (1 + e)
    let sPrime = s * sBar
    return -x * sPrime / (s + 1e-8) + (1 - x) * sPrime / (sBar + 1e-8)
}
