import Foundation
import GFECore
import GFEStore
import GFETestSupport
import Testing

/// `gfe encode` end to end on the authors' fixture (../shared/fixtures/official-amd-init.h5): the built binary
/// run as a user runs it, its output file read back and compared with what the authors' code computed.
@Suite struct EncodeFixtureTests {
    static let fixture = TestPaths.sharedFolder + "/fixtures/official-amd-init.h5"

    /// Runs `gfe` with `arguments`; returns the exit status, standard output and standard error.
    static func gfe(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let binary = try TestPaths.builtGFE()
        guard let run = runTool(binary, arguments) else { throw GFEError.runFailure("could not start \(binary)") }
        return (run.status, run.output, run.errors)
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gfe-cli-\(UUID().uuidString)-\(name)").path
    }

    /// The fixture's decoder, images and z₀ = 0 with the official preset and B = 16 reproduce the authors'
    /// solve: 337 accepted steps at the same times (sums of dt in Double: within 1e-9 relative) and the
    /// same per-image losses at z* (within 1e-4 relative).
    @Test func encodeReproducesTheAuthorsSolve() throws {
        let out = Self.temporaryPath("encode.h5")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let f = Self.fixture
        let run = try Self.gfe([
            "encode", "--checkpoint", f, "--group", "decoder_init", "--images", "\(f):/batch/x",
            "--z0", "\(f):/z0/zeros", "--encoder", "amd", "--preset", "official", "--batch", "16",
            "--out", out
        ])
        #expect(run.status == 0, "stderr: \(run.err)")
        #expect(run.out.contains("accepted          337"), "stdout: \(run.out)")
        #expect(run.out.contains("converged groups  1 of 1"), "stdout: \(run.out)")

        let (times, losses, zStar) = try HDF5File.read(f) { file in
            (
                try file.readDoubles("amd/init_zeros/t_accepted").values,
                try file.readFloats("amd/init_zeros/loss_per_sample").values,
                try file.readFloats("amd/init_zeros/z_star").values
            )
        }
        try HDF5File.read(out) { file in
            #expect(try file.readInt64s("groups/accepted").values == [337])
            #expect(try file.readInt64s("groups/rejected").values == [0])
            #expect(try file.readInt64s("groups/forced").values == [0])
            let written = try file.readDoubles("groups/accepted_times").values
            #expect(written.count == times.count)
            for (k, (a, e)) in zip(written, times).enumerated() {
                #expect(abs(a - e) <= 1e-9 * max(abs(e), 1), "accepted time \(k): \(a) vs \(e)")
            }
            let perImage = try file.readFloats("loss_per_sample").values
            #expect(perImage.count == 16)
            for (i, (a, e)) in zip(perImage, losses).enumerated() {
                #expect(abs(a - e) <= 1e-4 * e, "image \(i): loss \(a) vs \(e)")
            }
            // z* itself drifts with Float rounding over 337 steps; it stays close to the authors'.
            let z = try file.readFloats("z_star").values
            #expect(z.count == zStar.count)
            let worst = zip(z, zStar).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-2, "largest |Δz*| = \(worst)")
        }
    }

    @Test func badInputExitsWithStatusTwoAndOneLine() throws {
        let f = Self.fixture
        let out = Self.temporaryPath("never.h5")
        let cases: [([String], String)] = [
            (
                [
                    "encode", "--checkpoint", f, "--group", "decoder_init", "--images", "\(f):/batch/x", "--set",
                    "tua=5",
                    "--out", out
                ], "'tua'"
            ),
            (["encode", "--checkpoint", f, "--images", "\(f):/batch/x", "--out", out], "decoder.0.weight"),
            (
                ["encode", "--checkpoint", f, "--group", "decoder_init", "--images", "\(f)", "--out", out],
                "FILE.h5:/path"
            ),
            (
                [
                    "evaluate", "--checkpoint", f, "--group", "decoder_init", "--images", "\(f):/batch/x", "--model",
                    "vae"
                ],
                "'vae' is unknown"
            )
        ]
        for (arguments, expected) in cases {
            let run = try Self.gfe(arguments)
            #expect(run.status == 2, "\(arguments): status \(run.status), stderr \(run.err)")
            let lines = run.err.split(separator: "\n")
            #expect(lines.count == 1 && run.err.contains(expected), "\(arguments): stderr \(run.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
