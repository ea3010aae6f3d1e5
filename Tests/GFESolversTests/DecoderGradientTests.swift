import Foundation
import GFECore
import GFETestSupport
import Testing

@testable import GFESolvers

/// A tiny decoder (sizes [2, 5, 6, 7], PyTorch-style init, Double) and images in [0, 1], with the whole map
/// θ ↦ L(D_θ(z*(θ)), x) — z* recomputed by a fresh encoder for every θ — as the independent reference for
/// the decoder-gradient modes.
enum GradientFixture {
    static let architecture = Architecture(name: "decoder", sizes: [2, 5, 6, 7])

    static func decoder(seed: UInt64 = 11) -> MLP<Double> { MLP(architecture: architecture, seed: seed) }

    static func images(_ n: Int, seed: UInt64 = 12) -> Matrix<Double> {
        var rng = RNG(seed: seed, stream: "images")
        return Matrix(
            rows: n, cols: architecture.outputSize,
            storage: (0..<(n * architecture.outputSize)).map { _ in rng.uniform(0.0, 1.0) })
    }

    static func latents(_ n: Int, seed: UInt64 = 13, scale: Double = 0.5) -> Matrix<Double> {
        var rng = RNG(seed: seed, stream: "z0")
        return Matrix(
            rows: n, cols: architecture.inputSize,
            storage: (0..<(n * architecture.inputSize)).map { _ in rng.uniform(-scale, scale) })
    }

    static func objective(_ mlp: MLP<Double>, rows: Int) -> DecoderObjective<Double> {
        DecoderObjective(decoder: mlp, maxBatch: max(rows, 1))
    }

    /// A random direction in parameter space with entries in [−1, 1].
    static func direction(seed: UInt64) -> [Double] {
        var rng = RNG(seed: seed, stream: "direction")
        return (0..<architecture.parameterCount).map { _ in rng.uniform(-1.0, 1.0) }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Runs `encodeAndGradient` once; returns the gradient and the result.
    static func gradient(
        _ mode: DecoderGradientMode, encoder settings: EncoderSettings, mlp: MLP<Double>, x: Matrix<Double>,
        z0: Matrix<Double>? = nil, layout: GroupLayout = .oneGroup, cg: (Double, Int) = (1e-12, 50)
    ) throws -> (gradient: [Double], result: DecoderGradientResult<Double>) {
        var encoder = try LatentEncoder<DecoderObjective<Double>>(settings)
        var objective = objective(mlp, rows: x.rows)
        var rng = RNG(seed: 1, stream: "unused")
        var g: [Double] = []
        let result = try DecoderGradient.encodeAndGradient(
            settings: DecoderGradientSettings(mode: mode, cgTolerance: cg.0, cgMaxIterations: cg.1),
            encoder: &encoder, objective: &objective, x: x, layout: layout, z0: z0, rng: &rng, parameterGradient: &g)
        return (g, result)
    }

    /// L(D_θ(z*(θ)), x) summed in Double, z* computed afresh by `settings` from `z0` for the decoder with
    /// parameters θ. `check` sees every solve's encoding (e.g. to assert the step sequence did not change).
    static func totalLoss(
        _ theta: [Double], encoder settings: EncoderSettings, x: Matrix<Double>, z0: Matrix<Double>?,
        layout: GroupLayout = .oneGroup, check: (Encoding<Double>) -> Void = { _ in }
    ) -> Double {
        var mlp = decoder()
        mlp.parameters = theta
        var objective = objective(mlp, rows: x.rows)
        var encoder = try! LatentEncoder<DecoderObjective<Double>>(settings)
        var rng = RNG(seed: 1, stream: "unused")
        let encoding = try! encoder.encode(objective: &objective, x: x, layout: layout, z0: z0, rng: &rng)
        check(encoding)
        var loss: [Double] = []
        objective.loss(z: encoding.z, x: x, loss: &loss)
        return loss.prefix(x.rows).reduce(0, +)
    }

    /// The derivative of f(θ + s·v) at s = 0 by the 4-point central rule (truncation O(h⁴), rounding
    /// ≈ 1e-16·|f|/h). The step is small because the map is only piecewise smooth: ELU″ jumps at 0, so
    /// ∇_z L, and with it z*(θ), has kinks in θ where a pre-activation of some evaluation crosses 0; a stencil
    /// straddling one is off by O(h) (measured: h = 1e-4 is hit by kinks in long Nesterov flows, 1e-5 not).
    static func directionalDerivative(
        at theta: [Double], along v: [Double], step h: Double = 1e-5,
        of f: ([Double]) -> Double
    ) -> Double {
        func at(_ s: Double) -> Double { f(zip(theta, v).map { $0 + s * $1 }) }
        return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
    }

    static func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }
}

@Suite struct DecoderGradientTests {
    typealias F = GradientFixture

    @Test func approximateEqualsTheParameterGradientAtZStar() throws {
        let x = F.images(4)
        var amd = AMDSettings.official
        amd.tau = 30
        for settings in [EncoderSettings.amd(amd), .fixedGrid(FixedGridSettings()), .oneStep(OneStepSettings())] {
            let z0: Matrix<Double>? = settings.method == .fixedGrid ? nil : F.latents(4)
            let (g, result) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
            var objective = F.objective(F.decoder(), rows: 4)
            var loss: [Double] = []
            var expected = [Double](repeating: 0, count: F.architecture.parameterCount)
            let total = objective.lossAndParameterGradient(
                z: result.encoding.z, x: x, loss: &loss,
                parameterGradient: &expected)
            #expect(g == expected, "\(settings.method)")
            #expect(result.loss == total)
            #expect(result.statistics.secondOrderPasses == 0)
            #expect(result.statistics.parameterGradientIsFinite)
            #expect(result.statistics.implicitSolve == nil)
            // z* is the encoder's own.
            var encoder = try LatentEncoder<DecoderObjective<Double>>(settings)
            var rng = RNG(seed: 1, stream: "unused")
            var plain = F.objective(F.decoder(), rows: 4)
            let encoding = try encoder.encode(objective: &plain, x: x, z0: z0, rng: &rng)
            #expect(encoding.z == result.encoding.z)
            #expect(encoding.statistics == result.encoding.statistics)
        }
    }

    @Test func recordingForTheGradientLeavesTheEncodingAsConfigured() throws {
        let x = F.images(3)
        var amd = AMDSettings.paper
        amd.tau = 20
        let z0 = F.latents(3)
        var encoder = try LatentEncoder<DecoderObjective<Double>>(.amd(amd))
        var objective = F.objective(F.decoder(), rows: 3)
        var rng = RNG(seed: 1, stream: "unused")
        let plain = try encoder.encode(objective: &objective, x: x, z0: z0, rng: &rng)
        let (_, result) = try F.gradient(.unrolled, encoder: .amd(amd), mlp: F.decoder(), x: x, z0: z0)
        #expect(result.encoding.z == plain.z)
        #expect(result.encoding.statistics == plain.statistics)
        #expect(result.encoding.trajectory == nil)
        #expect(result.statistics.secondOrderPasses == plain.statistics.accepted)
    }

    @Test func parameterGradientIsResizedAndOverwritten() throws {
        let x = F.images(2)
        var encoder = try LatentEncoder<DecoderObjective<Double>>(.oneStep(OneStepSettings()))
        var objective = F.objective(F.decoder(), rows: 2)
        var rng = RNG(seed: 1, stream: "unused")
        var g = [Double](repeating: .nan, count: 3)
        _ = try DecoderGradient.encodeAndGradient(
            settings: DecoderGradientSettings(), encoder: &encoder, objective: &objective, x: x, rng: &rng,
            parameterGradient: &g)
        #expect(g.count == F.architecture.parameterCount)
        let first = g
        g = [Double](repeating: 1e9, count: g.count)
        _ = try DecoderGradient.encodeAndGradient(
            settings: DecoderGradientSettings(), encoder: &encoder, objective: &objective, x: x, rng: &rng,
            parameterGradient: &g)
        #expect(g == first)
    }

    @Test func badImagesAndUnsupportedModesAreReported() throws {
        var rng = RNG(seed: 1, stream: "unused")
        var g: [Double] = []
        var objective = F.objective(F.decoder(), rows: 2)
        var amdEncoder = try LatentEncoder<DecoderObjective<Double>>(.amd(.official))
        #expect(throws: GFEError.self) {
            _ = try DecoderGradient.encodeAndGradient(
                settings: DecoderGradientSettings(mode: .adjoint), encoder: &amdEncoder, objective: &objective,
                x: F.images(2), rng: &rng, parameterGradient: &g)
        }
        do {
            try DecoderGradientSettings(mode: .adjoint).validate(encoder: .oneStep(OneStepSettings()))
            Issue.record("adjoint with the one-step encoder was accepted")
        } catch {
            #expect(error.kind == .badInput)
            #expect(error.message.contains("'adjoint'") && error.message.contains("'unrolled'"))
        }
        try DecoderGradientSettings(mode: .adjoint).validate(encoder: .fixedGrid(FixedGridSettings()))
        var fixed = try LatentEncoder<DecoderObjective<Double>>(.fixedGrid(FixedGridSettings()))
        do {
            _ = try DecoderGradient.encodeAndGradient(
                settings: DecoderGradientSettings(), encoder: &fixed, objective: &objective,
                x: Matrix(rows: 2, cols: 5), rng: &rng, parameterGradient: &g)
            Issue.record("images of the wrong width were accepted")
        } catch {
            #expect(error.kind == .badInput && error.message.contains("7"))
        }
    }

    /// The engine runs in Float: every mode gives the Double result to Float accuracy (the same z* path,
    /// short solves so rounding does not compound).
    @Test func floatAgreesWithDouble() throws {
        let n = 3
        let x = F.images(n)
        let z0 = F.latents(n)
        var amd = AMDSettings.official
        amd.tau = 25
        amd.threshold = 0
        var grid = FixedGridSettings(dynamics: .nesterov)
        grid.points = 7
        grid.tau = 12
        let cases: [(DecoderGradientMode, EncoderSettings)] = [
            (.approximate, .amd(amd)), (.unrolled, .amd(amd)), (.unrolled, .oneStep(OneStepSettings(eta: 4))),
            (.unrolled, .fixedGrid(grid)), (.adjoint, .fixedGrid(grid)), (.implicit, .oneStep(OneStepSettings(eta: 4)))
        ]
        for (mode, settings) in cases {
            let start: Matrix<Double>? = settings.method == .fixedGrid ? nil : z0
            let (expected, double) = try F.gradient(
                mode, encoder: settings, mlp: F.decoder(), x: x, z0: start,
                cg: (1e-5, 50))
            var encoder = try LatentEncoder<DecoderObjective<Float>>(settings)
            var objective = DecoderObjective(decoder: F.decoder().converted(to: Float.self), maxBatch: n)
            var rng = RNG(seed: 1, stream: "unused")
            var g: [Float] = []
            let result = try DecoderGradient.encodeAndGradient(
                settings: DecoderGradientSettings(mode: mode, cgTolerance: 1e-5), encoder: &encoder,
                objective: &objective, x: x.converted(to: Float.self), z0: start?.converted(to: Float.self),
                rng: &rng, parameterGradient: &g)
            #expect(result.statistics.parameterGradientIsFinite)
            #expect(result.encoding.statistics.accepted == double.encoding.statistics.accepted)
            #expect(result.statistics.implicitSolve?.sampleResult == double.statistics.implicitSolve?.sampleResult)
            let difference = zip(g, expected).map { Double($0) - $1 }
            let relative = F.dot(difference, difference).squareRoot() / F.dot(expected, expected).squareRoot()
            #expect(relative < 1e-4, "\(mode), \(settings.method): Float vs Double \(relative)")
        }
    }

    @Test func emptyBatchGivesZeroGradient() throws {
        for mode in DecoderGradientMode.allCases {
            var s = FixedGridSettings()
            s.points = 4
            let (g, result) = try F.gradient(
                mode, encoder: .fixedGrid(s), mlp: F.decoder(),
                x: Matrix(rows: 0, cols: 7))
            #expect(g == [Double](repeating: 0, count: F.architecture.parameterCount), "\(mode)")
            #expect(result.loss == 0)
        }
    }
}

@Suite struct DecoderGradientSettingsTests {
    static func decode(_ json: String) throws -> DecoderGradientSettings {
        try SettingsDecoding.decode(DecoderGradientSettings.self, json)
    }
    static func message(_ json: String) -> String? { SettingsDecoding.message(DecoderGradientSettings.self, json) }

    @Test func defaultsAndBothForms() throws {
        let d = try Self.decode("{}")
        #expect(d == DecoderGradientSettings())
        #expect(d.mode == .approximate && d.cgTolerance == 1e-4 && d.cgMaxIterations == 50)
        #expect(try Self.decode(#""implicit""#) == DecoderGradientSettings(mode: .implicit))
        let full = try Self.decode(#"{"mode": "implicit", "cgTolerance": 1e-6, "cgMaxIterations": 7}"#)
        #expect(full == DecoderGradientSettings(mode: .implicit, cgTolerance: 1e-6, cgMaxIterations: 7))
        let back = try JSONDecoder().decode(DecoderGradientSettings.self, from: try JSONEncoder().encode(full))
        #expect(back == full)
    }

    @Test func badFieldsAreNamed() {
        #expect(Self.message(#"{"mode": "exact"}"#)?.contains("'approximate'") == true)
        #expect(Self.message(#""exact""#)?.contains("'exact'") == true)
        #expect(Self.message(#"{"cgTol": 1}"#)?.contains("unknown field 'cgTol'") == true)
        #expect(Self.message(#"{"cgTolerance": 0}"#)?.contains("'cgTolerance'") == true)
        #expect(Self.message(#"{"cgTolerance": 1.5}"#)?.contains("'cgTolerance'") == true)
        #expect(Self.message(#"{"cgMaxIterations": 0}"#)?.contains("'cgMaxIterations'") == true)
        #expect(Self.message(#"{"cgMaxIterations": "many"}"#)?.contains("an integer") == true)
    }

    @Test func misspeltNamesCarryASuggestion() {
        #expect(Self.message(#""adjiont""#)?.contains(#"mode 'adjiont' is unknown (did you mean "adjoint"?)"#) == true)
        #expect(
            Self.message(#"{"mode": "unroled"}"#)?.contains(#"field 'mode' is 'unroled' (did you mean "unrolled"?)"#)
                == true)
        #expect(
            Self.message(#"{"cgTol": 1}"#)?.contains(#"unknown field 'cgTol' (did you mean "cgTolerance"?)"#) == true)
    }
}
