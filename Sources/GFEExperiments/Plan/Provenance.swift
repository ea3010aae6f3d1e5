import Foundation
import GFECore
import GFEStore
import GFETraining

#if canImport(Glibc)
import Glibc
#endif

/// Where and with what a run was computed: recorded in run.json (docs/results.md).
public struct Provenance: Sendable {
    public var swiftVersion: String
    public var openBLAS: String
    public var openBLASCore: String
    /// The engine kernel's code path that computed (`RowGemm.path`: GFE_KERNEL or the fastest available).
    public var kernelPath: String
    public var hdf5: String
    public var cpuModel: String
    public var cores: Int
    public var host: String
    public var pid: Int32
    public var commandLine: [String]
    /// The Slurm job the process ran in, when it did: the job id (the array's, for an array task), the
    /// array task id and the node, from the variables Slurm sets.
    public var slurm: (job: String, task: String?, node: String?)?

    /// Collects the provenance of this process.
    public static func current(
        commandLine: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Provenance {
        let slurm = (environment["SLURM_ARRAY_JOB_ID"] ?? environment["SLURM_JOB_ID"]).map {
            (job: $0, task: environment["SLURM_ARRAY_TASK_ID"], node: environment["SLURMD_NODENAME"])
        }
        return Provenance(
            swiftVersion: compilerVersion, openBLAS: BLAS.configuration, openBLASCore: BLAS.coreName,
            kernelPath: RowGemm.path.rawValue, hdf5: hdf5Version, cpuModel: cpuModel,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            host: hostName, pid: getpid(), commandLine: commandLine, slurm: slurm)
    }

    /// The Swift compiler that built this binary (major.minor).
    public static var compilerVersion: String {
        #if compiler(>=7.0)
        return ">=7.0"
        #elseif compiler(>=6.5)
        return "6.5"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    /// The HDF5 library's version, e.g. "1.10.8".
    public static var hdf5Version: String { HDF5Version.current }

    /// The first "model name" of /proc/cpuinfo.
    public static var cpuModel: String {
        guard let data = FileManager.default.contents(atPath: "/proc/cpuinfo") else { return "unknown" }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Now as ISO 8601 UTC with milliseconds, e.g. "2025-01-31T12:00:00.123Z".
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
