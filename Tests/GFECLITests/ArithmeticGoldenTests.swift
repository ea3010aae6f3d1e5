import Foundation
import GFECore
import GFEStore
import Testing

/// One arithmetic everywhere: a short AE and GFE-amd run through `gfe run` must reproduce, bit for bit, the
/// digests committed in Tests/golden/arithmetic.txt — the table, every curve value (wall clocks aside),
/// every latent, loss and model weight of run.h5 — under every code path of the kernel this CPU runs
/// (GFE_KERNEL) and under several OpenBLAS kernels (OPENBLAS_CORETYPE), and by the release binary
/// (`make test` builds it first), whose engine is compiled for this CPU's widest vectors. It fails when any Float operation
/// goes back to an order that depends on the CPU or the BLAS, and when the arithmetic changes at all: then
/// `RowGemm.arithmetic` must be renamed and the file regenerated with
///     GFE_UPDATE_GOLDEN=1 swift test --filter ArithmeticGoldenTests
@Suite(.serialized)
struct ArithmeticGoldenTests {
    static let goldenPath = ExperimentCLI.repositoryRoot + "/Tests/golden/arithmetic.txt"

    /// Small enough for the scalar path (seconds): 2 iterations of B = 8, 8 test images, a short AMD horizon.
    static let spec = #"""
        {"name": "arithmetic-golden",
         "base": {"batchSize": 8, "budget": {"imagesSeen": 16}, "data": {"trainLimit": 16, "testLimit": 8},
                  "checkpoints": {"imagesSeen": [8, 16]}, "encoder": {"tau": 300},
                  "validation": {"every": 1, "atStart": true}},
         "sweep": {"axes": {"method": ["ae", "gfe"]}},
         "seeds": [2020],
         "outputs": {"models": "checkpoints", "latents": ["evaluation", "train"], "trainLatentCount": 16},
         "table": {"index": "images_seen", "columns": [
           {"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
           {"name": "gfe_amd", "where": {"method": "gfe"}, "metric": "test_loss_gfe"},
           {"name": "ae_decoder_amd_encoded", "where": {"method": "ae"}, "metric": "test_loss_ae_decoder_amd"}]}}
        """#

    /// The release build's `gfe` (`make test` and `make build` make it), when there is one.
    static var releaseBinary: String? {
        let path = ExperimentCLI.repositoryRoot + "/.build/release/gfe"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// (kernel path, OpenBLAS core type or nil for OpenBLAS's own choice, binary or nil for the test build's):
    /// the fastest path under two core types besides the automatic one, every other path this CPU runs under
    /// another, and the release binary on the fastest path.
    static var variants: [(path: KernelPath, core: String?, binary: String?)] {
        let fastest = KernelPath.fastest
        // OpenBLAS's AVX-512 kernel (the one it picks on Intel Xeons) where the CPU has AVX-512.
        let avx512Core: [(KernelPath, String?, String?)] =
            KernelPath.avx512.isAvailable ? [(fastest, "SkylakeX", nil)] : []
        return [(fastest, nil, nil), (fastest, "Sandybridge", nil), (fastest, "Prescott", nil)] + avx512Core
            + KernelPath.available.filter { $0 != fastest }.map { ($0, "Haswell", nil) }
            + (releaseBinary.map { [(fastest, nil, $0)] } ?? [])
    }

    @Test func everyCodePathAndBLASKernelReproducesTheCommittedBits() throws {
        let spec = try ExperimentCLI.spec("arithmetic-golden", Self.spec)
        var digests: [(variant: String, lines: [String])] = []
        for v in Self.variants {
            let name = "\(v.path.rawValue)-\(v.core ?? "auto")" + (v.binary == nil ? "" : "-release")
            let results = ExperimentCLI.workspace + "/golden-" + name
            var environment = ExperimentCLI.environment
            environment["GFE_KERNEL"] = v.path.rawValue
            environment["OPENBLAS_CORETYPE"] = v.core
            let run = try ExperimentCLI.gfe(
                ["run", spec, "--results", results, "--jobs", "2"], environment: environment,
                executable: v.binary)
            try #require(run.status == 0, "\(name): gfe run failed: \(run.err)")
            let table = try ExperimentCLI.gfe(
                ["table", spec, "--results", results, "--output", results + "/table.csv"],
                environment: environment, executable: v.binary)
            try #require(table.status == 0, "\(name): gfe table failed: \(table.err)")
            digests.append((name, try Self.digest(results: results, expectedPath: v.path, expectedCore: v.core)))
        }
        if ProcessInfo.processInfo.environment["GFE_UPDATE_GOLDEN"] == "1" {
            let header = [
                "# Digests of a short AE and GFE-amd run (ArithmeticGoldenTests), arithmetic \(RowGemm.arithmetic).",
                "# Regenerate only when the arithmetic changes on purpose (rename RowGemm.arithmetic too):",
                "#     GFE_UPDATE_GOLDEN=1 swift test --filter ArithmeticGoldenTests"
            ]
            try (header + digests[0].lines).joined(separator: "\n").appending("\n")
                .write(toFile: Self.goldenPath, atomically: true, encoding: .utf8)
        }
        let expected = try Self.committedDigests()
        for (variant, lines) in digests {
            let hint = variant.hasSuffix("-release") ? " (a stale release build? `make build` first)" : ""
            Self.expectCommitted(lines, expected, variant: variant + hint)
        }
    }

    /// The committed digests (comments aside), after checking that they are this arithmetic's.
    static func committedDigests() throws -> [String] {
        let committed = try String(contentsOfFile: goldenPath, encoding: .utf8)
        #expect(
            committed.contains("arithmetic \(RowGemm.arithmetic)."),
            "Tests/golden/arithmetic.txt was made with another arithmetic than \(RowGemm.arithmetic)")
        return committed.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    /// Expects the digests computed by `variant` to be the committed ones, line for line.
    static func expectCommitted(
        _ lines: [String], _ expected: [String], variant: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let differing = zip(lines, expected).filter { $0 != $1 }.map(\.0)
        #expect(
            lines.count == expected.count && differing.isEmpty,
            "\(variant): \(differing.count) of \(expected.count) digests differ from the committed ones, e.g. \(differing.prefix(4)); lines \(lines.count) vs \(expected.count)",
            sourceLocation: sourceLocation)
    }

    /// The baseline x86-64 release build (`make test-emulated` makes it): the only one an emulated CPU
    /// without this machine's instructions can run.
    static let genericBinary = ExperimentCLI.repositoryRoot + "/.build-generic/release/gfe"

    /// CPUs this machine is not, emulated by QEMU's user mode (TCG: AVX2 and FMA, no AVX-512), each with the code
    /// path its own detection must choose: Haswell (GenuineIntel, AVX2 + FMA), Nehalem (no AVX: the scalar path
    /// through the C library's software fmaf) and Opteron_G5 (AMD Piledriver, AVX and FMA without AVX2: the
    /// scalar path with FMA instructions). Neither GFE_KERNEL nor OPENBLAS_CORETYPE is set: the kernel path and
    /// OpenBLAS's core type are chosen from the emulated CPUID, as on such a machine. Opt-in
    /// (`GFE_EMULATED_CPUS=1`, which `make test-emulated` sets): emulation makes the scalar runs take minutes.
    static let emulatedCPUs: [(model: String, path: KernelPath)] = [
        ("Haswell", .avx2), ("Nehalem", .scalar), ("Opteron_G5", .scalar)
    ]

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["GFE_EMULATED_CPUS"] == "1",
            "opt-in: make test-emulated (minutes of emulation)"))
    func emulatedCPUsReproduceTheCommittedBits() throws {
        let emulator = "/usr/bin/qemu-x86_64"
        try #require(
            FileManager.default.isExecutableFile(atPath: emulator),
            "\(emulator) is missing: apt-get install qemu-user (make test-emulated does)")
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.genericBinary),
            "\(Self.genericBinary) is missing: make test-emulated builds it")
        let spec = try ExperimentCLI.spec("arithmetic-golden", Self.spec)
        let runs = try ExperimentCLI.runIds(spec).count
        let expected = try Self.committedDigests()
        for (model, path) in Self.emulatedCPUs {
            let results = ExperimentCLI.workspace + "/emulated-" + model
            var environment = ExperimentCLI.environment
            environment["GFE_KERNEL"] = nil
            environment["OPENBLAS_CORETYPE"] = nil
            // One process per run (`--index`): a worker that `gfe run` started would run unemulated. Both
            // runs at once, one per core.
            let started = try (0..<runs).map { index in
                try ExperimentCLI.Running(
                    ["-cpu", model, Self.genericBinary, "run", spec, "--index", "\(index)", "--results", results],
                    environment: environment, executable: emulator)
            }
            for (index, run) in started.enumerated() {
                let output = run.wait()
                try #require(
                    output.status == 0, "\(model): gfe run --index \(index) failed: \(output.err.suffix(2000))")
            }
            let table = try ExperimentCLI.gfe(
                [
                    "-cpu", model, Self.genericBinary, "table", spec, "--results", results, "--output",
                    results + "/table.csv"
                ], environment: environment, executable: emulator)
            try #require(table.status == 0, "\(model): gfe table failed: \(table.err.suffix(2000))")
            let lines = try Self.digest(results: results, expectedPath: path, expectedCore: nil)
            Self.expectCommitted(lines, expected, variant: "emulated \(model) (\(path.rawValue) path)")
        }
    }

    /// A GFE_KERNEL that names no path, or a path this CPU cannot run, is bad input: exit 2 before anything runs.
    @Test func unknownOrUnavailableKernelPathIsRefused() throws {
        var environment = ExperimentCLI.environment
        environment["GFE_KERNEL"] = "sse9"
        let unknown = try ExperimentCLI.gfe(["resolve", "experiments/smoke.json"], environment: environment)
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("GFE_KERNEL=sse9 is not a code path; use one of avx512, avx2, scalar"))
        for path in KernelPath.allCases where !path.isAvailable {
            environment["GFE_KERNEL"] = path.rawValue
            let results = ExperimentCLI.workspace + "/refused-" + path.rawValue
            let refused = try ExperimentCLI.gfe(
                ["run", "experiments/smoke.json", "--results", results],
                environment: environment)
            #expect(refused.status == 2)
            #expect(refused.err.contains("GFE_KERNEL=\(path.rawValue): this CPU cannot run the \(path.rawValue) path"))
            #expect(!FileManager.default.fileExists(atPath: results), "nothing is written before the refusal")
        }
    }

    /// One line per result: the table's lines, then per run (by label) its curves without the wall clocks and
    /// the run-id column, and every run.h5 dataset but the wall clocks, as FNV-1a digests of their bytes. Checks
    /// on the way that run.json records the requested kernel path and OpenBLAS core type.
    static func digest(results: String, expectedPath: KernelPath, expectedCore: String?) throws -> [String] {
        var lines = try String(contentsOfFile: results + "/table.csv", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { "table " + $0 }
        let folder = results + "/arithmetic-golden"
        let runs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }
        var perRun: [(label: String, lines: [String])] = []
        for id in runs {
            let record = try #require(recordAt(folder + "/" + id))
            let label = try #require(record["label"] as? String)
            let provenance = try #require(record["provenance"] as? [String: Any])
            #expect(provenance["kernel"] as? String == expectedPath.rawValue)
            if let core = expectedCore { #expect(provenance["openblasCore"] as? String == core) }
            var runLines: [String] = []
            let curves = try CSV.read(folder + "/" + id + "/curves.csv")
            // Wall clocks aside: the wall_s column and the *_seconds metrics (train_seconds).
            let keep = curves.header.indices.filter { !["run", "wall_s"].contains(curves.header[$0]) }
            let metric = try #require(curves.header.firstIndex(of: "metric"))
            let rows = curves.rows.filter { !$0[metric].hasSuffix("_seconds") }
            let text = rows.map { row in keep.map { row[$0] }.joined(separator: ",") }.joined(separator: "\n")
            runLines.append("\(label) curves.csv \(rows.count) rows \(fnv1a(Array(text.utf8)))")
            try HDF5File.read(folder + "/" + id + "/run.h5") { file in
                for member in try file.walk() where member.kind == .dataset && !member.name.hasSuffix("wall_s") {
                    runLines.append("\(label) \(member.path) \(member.shape ?? []) \(try datasetDigest(file, member))")
                }
            }
            perRun.append((label, runLines))
        }
        for run in perRun.sorted(by: { $0.label < $1.label }) { lines += run.lines }
        return lines
    }

    static func recordAt(_ folder: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: folder + "/run.json") else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    static func datasetDigest(_ file: HDF5File, _ member: HDF5Member) throws -> String {
        switch member.elementType {
        case .float32: return digest(try file.readFloats(member.path).values)
        case .float64: return digest(try file.readDoubles(member.path).values)
        case .int64: return digest(try file.readInt64s(member.path).values)
        case .uint8: return digest(try file.readUInt8s(member.path).values)
        default: return "unread \(String(describing: member.elementType))"
        }
    }

    /// The values' bytes as stored in memory (little-endian on every machine this runs on), digested.
    static func digest<T>(_ values: [T]) -> String { values.withUnsafeBytes { fnv1a($0) } }

    static func fnv1a(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { fnv1a($0) } }

    /// FNV-1a over 64-bit words (then the remaining bytes): a change detector, not a cryptographic hash; words
    /// keep it fast in a debug build.
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let words = bytes.count / 8
        for i in 0..<words {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) &* 0x0000_0100_0000_01b3
        }
        for i in (8 * words)..<bytes.count { h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3 }
        return String(h, radix: 16)
    }
}
