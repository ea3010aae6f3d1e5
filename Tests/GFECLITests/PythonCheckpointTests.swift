import Foundation
import GFETestSupport
import Testing

/// A checkpoint written by h5py the way one saves a PyTorch decoder (`f[k] = v.numpy()` for every
/// `state_dict` entry) drives `gfe encode` and `gfe evaluate` on real MNIST; numpy then recomputes each
/// image's loss at our z* from the same weights, independently of our engine.
@Suite struct PythonCheckpointTests {

    /// Weights like torch.nn.Linear's default init (U(±1/√fan_in)), in state_dict names and [out, in] shapes.
    static let writeCheckpoint = """
        import sys, h5py, numpy as np
        rng = np.random.default_rng(7)
        sizes = [20, 150, 300, 600, 784]
        with h5py.File(sys.argv[1], "w") as f:
            for l in range(4):
                b = 1 / np.sqrt(sizes[l])
                f[f"decoder.{2*l}.weight"] = rng.uniform(-b, b, (sizes[l+1], sizes[l])).astype(np.float32)
                f[f"decoder.{2*l}.bias"] = rng.uniform(-b, b, sizes[l+1]).astype(np.float32)
        """

    /// Per-image loss (SPEC §3) of the decoder in argv[1] at z* of argv[2], against the MNIST test images the
    /// encoding used (read here from the IDX file), printed as max relative difference to our losses.
    static let checkLosses = """
        import sys, gzip, h5py, numpy as np
        ck, enc, idx, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        with gzip.open(idx) if idx.endswith(".gz") else open(idx, "rb") as g:
            data = g.read()
        x = np.frombuffer(data, np.uint8, offset=16)[: n * 784].reshape(n, 784).astype(np.float64) / 255
        with h5py.File(ck) as f, h5py.File(enc) as e:
            h = e["z_star"][:].astype(np.float64)
            ours = e["loss_per_sample"][:].astype(np.float64)
            for l in range(4):
                h = h @ f[f"decoder.{2*l}.weight"][:].astype(np.float64).T + f[f"decoder.{2*l}.bias"][:]
                if l < 3:
                    h = np.where(h > 0, h, np.expm1(np.minimum(h, 0)))
        s = 1 / (1 + np.exp(-h))
        loss = np.mean(-x * np.log(s + 1e-8) - (1 - x) * np.log(1 - s + 1e-8), axis=1)
        print(np.max(np.abs(loss - ours) / loss), np.mean(loss))
        """

    static func mnistTestImages() -> String { TestPaths.sharedFolder + "/datasets/mnist/t10k-images-idx3-ubyte.gz" }

    @Test(
        .enabled(if: Python.hasH5py, "python3 with h5py and numpy is not installed; skipping the h5py checkpoint check")
    )
    func h5pyCheckpointEncodesAndEvaluates() throws {
        let checkpoint = EncodeFixtureTests.temporaryPath("torch-decoder.h5")
        let encoded = EncodeFixtureTests.temporaryPath("encoded.h5")
        defer {
            try? FileManager.default.removeItem(atPath: checkpoint)
            try? FileManager.default.removeItem(atPath: encoded)
        }
        _ = try Python.run(Self.writeCheckpoint, [checkpoint])
        let n = 32
        let encode = try EncodeFixtureTests.gfe([
            "encode", "--checkpoint", checkpoint, "--dataset", "mnist",
            "--split", "test", "--limit", "\(n)", "--set", "tau=300",
            "--out", encoded
        ])
        #expect(encode.status == 0, "stderr: \(encode.err)")
        #expect(encode.out.contains("converged groups") && encode.out.contains("mean loss"), "stdout: \(encode.out)")

        let report = try Python.run(Self.checkLosses, [checkpoint, encoded, Self.mnistTestImages(), "\(n)"])
        let fields = report.split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(fields.count == 2, "python printed: \(report)")
        #expect(fields[0] < 1e-5, "max relative loss difference to numpy: \(fields[0])")

        let evaluate = try EncodeFixtureTests.gfe([
            "evaluate", "--checkpoint", checkpoint, "--dataset", "mnist",
            "--split", "test", "--limit", "\(n)", "--set", "tau=300"
        ])
        #expect(evaluate.status == 0, "stderr: \(evaluate.err)")
        // Same images, encoder and z₀ rule: evaluate's mean is the mean of encode's per-image losses.
        #expect(evaluate.out.contains(String(format: "%.6f", fields[1]).prefix(6)), "stdout: \(evaluate.out)")
    }

    @Test func checkpointWithAMissingTensorIsBadInput() throws {
        guard Python.hasH5py else { return }
        let checkpoint = EncodeFixtureTests.temporaryPath("partial.h5")
        defer { try? FileManager.default.removeItem(atPath: checkpoint) }
        _ = try Python.run(
            Self.writeCheckpoint + "\nwith h5py.File(sys.argv[1], 'a') as f: del f['decoder.4.bias']\n",
            [checkpoint])
        let run = try EncodeFixtureTests.gfe([
            "evaluate", "--checkpoint", checkpoint, "--dataset", "mnist",
            "--split", "test", "--limit", "16"
        ])
        #expect(run.status == 2)
        #expect(run.err.contains("decoder.4.bias"), "stderr: \(run.err)")
    }

    /// A PyTorch decoder of another shape, activation and loss (ReLU, MSE, 8 real outputs), written from its
    /// `state_dict` with the two attributes docs/your-own-data.md names (as h5py writes Python strings), encodes
    /// real-valued samples; numpy recomputes each sample's MSE at our z* from the same weights.
    static let writeReLUCheckpoint = """
        import sys, h5py, numpy as np
        rng = np.random.default_rng(11)
        sizes = [3, 16, 12, 8]
        with h5py.File(sys.argv[1], "w") as f:
            for l in range(3):
                b = 1 / np.sqrt(sizes[l])
                f[f"decoder.{2*l}.weight"] = rng.uniform(-b, b, (sizes[l+1], sizes[l])).astype(np.float32)
                f[f"decoder.{2*l}.bias"] = rng.uniform(-b, b, sizes[l+1]).astype(np.float32)
            f.attrs["decoder_activation"] = "relu"
            f.attrs["reconstruction_loss"] = "meanSquaredError"
        with h5py.File(sys.argv[2], "w") as f:
            f["x"] = rng.normal(size=(24, 8)).astype(np.float32)
        """

    static let checkMSE = """
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1]) as f, h5py.File(sys.argv[2]) as e, h5py.File(sys.argv[3]) as d:
            h = e["z_star"][:].astype(np.float64)
            ours = e["loss_per_sample"][:].astype(np.float64)
            for l in range(3):
                h = h @ f[f"decoder.{2*l}.weight"][:].astype(np.float64).T + f[f"decoder.{2*l}.bias"][:]
                if l < 2:
                    h = np.maximum(h, 0)
            x = d["x"][:].astype(np.float64)
        loss = np.mean((h - x) ** 2, axis=1)
        print(np.max(np.abs(loss - ours) / loss))
        """

    @Test(
        .enabled(if: Python.hasH5py, "python3 with h5py and numpy is not installed; skipping the h5py checkpoint check")
    )
    func stateDictOfAnotherShapeActivationAndLoss() throws {
        let checkpoint = EncodeFixtureTests.temporaryPath("relu-decoder.h5")
        let samples = EncodeFixtureTests.temporaryPath("samples.h5")
        let encoded = EncodeFixtureTests.temporaryPath("relu-encoded.h5")
        defer {
            for path in [checkpoint, samples, encoded] { try? FileManager.default.removeItem(atPath: path) }
        }
        _ = try Python.run(Self.writeReLUCheckpoint, [checkpoint, samples])
        let encode = try EncodeFixtureTests.gfe([
            "encode", "--checkpoint", checkpoint, "--images", samples + ":/x", "--set", "tau=300", "--out", encoded
        ])
        #expect(encode.status == 0, "stderr: \(encode.err)")
        let report = try Python.run(Self.checkMSE, [checkpoint, encoded, samples])
        let difference = Double(report.trimmingCharacters(in: .whitespacesAndNewlines))
        try #require(difference != nil, "python printed: \(report)")
        #expect(difference! < 1e-5, "max relative MSE difference to numpy (ReLU, MSE): \(difference!)")
    }
}
