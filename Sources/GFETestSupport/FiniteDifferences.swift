import GFECore

/// Central finite differences in Double, the independent reference the engine's derivatives are tested
/// against. Truncation error is O(h²)·|f‴| and rounding error about 1e-16·|f|/h, so h ≈ 1e-5…1e-6 suits
/// functions of order one.
public enum FiniteDifferences {
    /// ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for each i in `coordinates` (all by default), returned
    /// in the order of `coordinates`.
    public static func gradient(
        at x: [Double], step h: Double = 1e-6, coordinates: [Int]? = nil, of f: ([Double]) -> Double
    ) -> [Double] {
        var probe = x
        return (coordinates ?? Array(x.indices)).map { i in
            probe[i] = x[i] + h
            let up = f(probe)
            probe[i] = x[i] - h
            let down = f(probe)
            probe[i] = x[i]
            return (up - down) / (2 * h)
        }
    }

    /// The directional derivative of a vector function, J(x)·v ≈ (f(x + h·v) − f(x − h·v)) / 2h
    /// (e.g. a Hessian-vector product as the derivative of a gradient).
    public static func directionalDerivative(
        at x: [Double], direction v: [Double], step h: Double = 1e-6, of f: ([Double]) -> [Double]
    ) -> [Double] {
        precondition(x.count == v.count, "directionalDerivative: point and direction sizes differ")
        let up = f(zip(x, v).map { $0 + h * $1 })
        let down = f(zip(x, v).map { $0 - h * $1 })
        precondition(up.count == down.count)
        return zip(up, down).map { ($0 - $1) / (2 * h) }
    }

    /// `count` distinct indices of 0..<n, drawn reproducibly (all of them when count ≥ n), sorted.
    /// `always` indices (e.g. the first and last coordinate of each tensor) are included first.
    public static func sampledCoordinates(_ count: Int, of n: Int, seed: UInt64, always: [Int] = []) -> [Int] {
        if count >= n { return Array(0..<n) }
        var chosen = Set(always.filter { $0 >= 0 && $0 < n })
        var rng = RNG(seed: seed, stream: "fd-coordinates")
        while chosen.count < count { chosen.insert(rng.below(n)) }
        return chosen.sorted()
    }
}
