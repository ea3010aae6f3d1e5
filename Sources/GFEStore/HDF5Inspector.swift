/// The text of `gfe inspect FILE.h5`: the tree of groups and datasets with shapes, element types, storage,
/// the first values of small datasets, and every attribute with its value.
///
///     HDF5 file run.h5
///     /
///       @seed = 2020
///       decoder_init/
///         @note = "…"
///         decoder.0.bias  float32 [150]  = [0.1, -0.2, …]
///         decoder.6.weight  float32 [784, 600]  chunks [98, 600] gzip 4
public enum HDF5Inspector {
    public struct Options: Sendable {
        /// How many leading values of a small dataset or array attribute to print.
        public var values: Int
        /// Datasets with at most this many elements show their first values (larger ones are not read).
        public var smallDatasetLimit: Int
        /// Strings longer than this are cut with "…" (0: never cut).
        public var stringLimit: Int

        public init(values: Int = 6, smallDatasetLimit: Int = 100_000, stringLimit: Int = 160) {
            self.values = values
            self.smallDatasetLimit = smallDatasetLimit
            self.stringLimit = stringLimit
        }
    }

    /// The tree of the HDF5 file at `path`, after a first line naming the file. Throws (exit 2) when it is
    /// missing or not an HDF5 file.
    public static func render(path: String, options: Options = Options()) throws -> String {
        try HDF5File.read(path) { "HDF5 file \(path)\n" + (try render($0, options: options)) }
    }

    /// The tree below `group` (its attributes first, then its members in name order).
    public static func render(_ group: HDF5Group, options: Options = Options()) throws -> String {
        var lines: [String] = [group.path]
        try describe(group, path: ".", depth: 1, options: options, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func describe(
        _ root: HDF5Group, path: String, depth: Int, options: Options,
        into lines: inout [String]
    ) throws {
        let indent = String(repeating: "  ", count: depth)
        for attribute in try root.attributes(of: path) {
            lines.append(indent + "@\(attribute.name) = " + format(attribute.value, options))
        }
        for member in try root.members(of: path) {
            switch member.kind {
            case .group:
                lines.append(indent + member.name + "/")
                try describe(root, path: member.path, depth: depth + 1, options: options, into: &lines)
            case .dataset:
                let info = try root.datasetInfo(member.path)
                var line = indent + member.name + "  \(info.elementType) \(info.shape)"
                if let chunks = info.chunkShape { line += "  chunks \(chunks)" }
                if let level = info.gzipLevel { line += " gzip \(level)" }
                if info.count <= options.smallDatasetLimit,
                    let values = try leadingValues(root, member.path, info, options)
                {
                    line += "  = " + values
                }
                lines.append(line)
                for attribute in try root.attributes(of: member.path) {
                    lines.append(indent + "  @\(attribute.name) = " + format(attribute.value, options))
                }
            case .other:
                lines.append(indent + member.name + "  (not a group or dataset)")
            }
        }
    }

    /// The first values of a numeric dataset, in its own type's shortest form; nil for non-numeric ones.
    private static func leadingValues(
        _ root: HDF5Group, _ path: String, _ info: HDF5DatasetInfo,
        _ options: Options
    ) throws -> String? {
        switch info.elementType {
        case .float32: return list(try root.readFloats(path).values, total: info.count, options)
        case .float64: return list(try root.readDoubles(path).values, total: info.count, options)
        case .uint8: return list(try root.readUInt8s(path).values, total: info.count, options)
        case .int64: return list(try root.readInt64s(path).values, total: info.count, options)
        case .other:
            guard info.elementType.isNumeric else { return nil }
            return info.elementType.description.hasPrefix("float")
                ? list(try root.readDoubles(path, converting: true).values, total: info.count, options)
                : list(try root.readInt64s(path, converting: true).values, total: info.count, options)
        }
    }

    private static func list<T>(_ values: [T], total: Int, _ options: Options) -> String {
        if total == 1 && values.count == 1 { return "\(values[0])" }
        let shown = values.prefix(options.values).map { "\($0)" }
        return "[" + shown.joined(separator: ", ") + (values.count > shown.count ? ", …" : "") + "]"
    }

    private static func format(_ value: HDF5AttributeValue, _ options: Options) -> String {
        switch value {
        case .string(let text):
            guard options.stringLimit > 0, text.count > options.stringLimit else { return quoted(text) }
            return quoted(String(text.prefix(options.stringLimit))) + "… (\(text.count) characters)"
        case .int64Array(let v): return list(v, total: v.count, options) + " (\(v.count) values)"
        case .doubleArray(let v): return list(v, total: v.count, options) + " (\(v.count) values)"
        case .floatArray(let v): return list(v, total: v.count, options) + " (\(v.count) values)"
        case .uint8Array(let v): return list(v, total: v.count, options) + " (\(v.count) values)"
        default: return value.description
        }
    }
}
