#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The project's seedable random number generator: xoshiro256** (Blackman & Vigna, 2018), its 256-bit state
/// filled from the 64-bit seed by SplitMix64. Every random draw of a run (initialisation, split, shuffling,
/// z₀) comes from a generator of this type, so the same spec and seed give the same numbers on every machine.
///
/// Independent streams: `RNG(seed:stream:)` mixes a stream name (hashed with 64-bit FNV-1a) into the seed, so
/// "init", "split", "shuffle" and "z0" draw from unrelated sequences and adding draws to one stream never
/// shifts another.
///
/// Conversions (documented because results depend on them):
/// - `nextFloat()`: the top 24 bits of `next()` × 2⁻²⁴, uniform on [0, 1) with 2²⁴ equally likely values.
/// - `nextDouble()`: the top 53 bits × 2⁻⁵³, uniform on [0, 1).
/// - `uniform(lo, hi)`: lo + (hi − lo)·u with u from the matching conversion for the type.
/// - `below(n)`: Lemire's nearly-divisionless unbiased bounded integer.
/// - `shuffle`: Fisher–Yates from the last index down, j = below(i + 1).
public struct RNG: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix()
        s1 = splitmix()
        s2 = splitmix()
        s3 = splitmix()
    }

    public init(seed: UInt64, stream: String) {
        self.init(seed: seed ^ RNG.fnv1a(stream))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RNG.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = RNG.rotl(s3, 45)
        return result
    }

    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform on [lo, hi) in the precision of `T`.
    public mutating func uniform<T: Scalar>(_ lo: T, _ hi: T) -> T {
        let u: T = T.self == Float.self ? T(nextFloat()) : T(nextDouble())
        return lo + (hi - lo) * u
    }

    /// Unbiased integer in 0..<n (Lemire 2019).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "RNG.below: n must be positive")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// Fisher–Yates, in place.
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ c: inout C) where C.Index == Int {
        guard c.count > 1 else { return }
        var i = c.count - 1
        while i > 0 {
            let j = below(i + 1)
            c.swapAt(c.startIndex + i, c.startIndex + j)
            i -= 1
        }
    }

    /// A random permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    /// Standard normal by Box–Muller on two Double uniforms (second value discarded: simple and stateless).
    public mutating func normal() -> Double {
        var u1 = nextDouble()
        while u1 == 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos2pi(u2)
    }
}

extension Double {
    @usableFromInline static func cos2pi(_ u: Double) -> Double {
        #if canImport(Glibc)
        return Glibc.cos(2 * Double.pi * u)
        #else
        return Darwin.cos(2 * Double.pi * u)
        #endif
    }
}
