import GFECore

/// Where an encoder starts: z₀ for every image of a batch.
public enum InitialPoint: String, SettingsChoice {
    /// z₀ = 0.
    case zeros
    /// z₀ ~ U[0, 1)^{n×d}, drawn afresh for every solve (the `official` AMD preset: "per batch").
    case uniform

    /// z₀ for `rows` images of dimension `dim`. `uniform` draws row-major, one `RNG.uniform(0, 1)` per
    /// element (for Float: the top 24 bits × 2⁻²⁴), so drawing G groups at once gives the same numbers as
    /// drawing them batch after batch from the same generator.
    public func make<T: Scalar>(rows: Int, dim: Int, rng: inout RNG, as: T.Type = T.self) -> Matrix<T> {
        var z = Matrix<T>(rows: rows, cols: dim)
        if self == .uniform {
            for i in 0..<z.storage.count { z.storage[i] = rng.uniform(T(0), T(1)) }
        }
        return z
    }
}

extension InitialPoint {
    /// Checks a starting point supplied for `images` images of latent dimension `dim`: one finite row per
    /// image. `solver` starts the message ("AMD").
    static func check<T: Scalar>(_ z0: Matrix<T>, images n: Int, dim d: Int, solver: String) throws(GFEError) {
        guard z0.rows == n, z0.cols == d else {
            throw .badInput(
                "\(solver): z0 is \(z0.rows)x\(z0.cols) but the batch needs \(n)x\(d) "
                    + "(one row of latent dimension \(d) per image)")
        }
        guard z0.storage.allSatisfy(\.isFinite) else {
            throw .badInput("\(solver): z0 contains NaN or infinite values; supply a finite starting point")
        }
    }
}
