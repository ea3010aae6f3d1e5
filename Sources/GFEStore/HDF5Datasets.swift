import CHDF5
import GFECore

/// A dataset's description: shape, element type and storage layout.
public struct HDF5DatasetInfo: Equatable, Sendable {
    /// Absolute path of the dataset in the file.
    public let path: String
    /// Dimensions, row-major (C order). [] for a scalar dataset.
    public let shape: [Int]
    public let elementType: HDF5ElementType
    /// Chunk dimensions when the dataset is chunked, nil when contiguous or compact.
    public let chunkShape: [Int]?
    /// The gzip (deflate) level when the dataset is gzip-compressed.
    public let gzipLevel: Int?

    /// Number of elements: the product of `shape` (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
}

/// Storage rules of the store: datasets larger than `chunkingThreshold` bytes are chunked and gzip-compressed.
public enum HDF5Storage {
    /// Datasets over 64 KiB are chunked and compressed; smaller ones are stored contiguously.
    public static let chunkingThreshold = 64 * 1024
    /// gzip level of compressed datasets.
    public static let gzipLevel = 4
    /// Upper bound on the bytes of one chunk.
    public static let targetChunkBytes = 256 * 1024

    /// Chunk dimensions for a dataset of `shape` and `elementSize` bytes per element, or nil when it stays
    /// contiguous (at most `chunkingThreshold` bytes, or a scalar). The chunk starts as the whole dataset and
    /// its axes are halved in turn, outermost first (so rows stay contiguous), until it holds at most
    /// `targetChunkBytes`.
    public static func chunkShape(for shape: [Int], elementSize: Int) -> [Int]? {
        let bytes = shape.reduce(1, *) * elementSize
        guard !shape.isEmpty, bytes > chunkingThreshold else { return nil }
        var chunk = shape.map { max($0, 1) }
        var axis = 0
        while chunk.reduce(1, *) * elementSize > targetChunkBytes {
            if chunk.allSatisfy({ $0 == 1 }) { break }
            if chunk[axis] > 1 { chunk[axis] = (chunk[axis] + 1) / 2 }
            axis = (axis + 1) % chunk.count
        }
        return chunk
    }
}

extension HDF5Group {
    // MARK: - Writing

    /// Writes `values` (row-major) as a new dataset of `shape` at `path`, creating missing groups on the way.
    /// Shape [] writes a scalar (one value); any dimension may be 0. Datasets over 64 KiB are chunked and
    /// gzip-compressed (level 4). Throws when `values.count` differs from the product of `shape`, or when
    /// an object already exists at `path` and `replacing` is false.
    public func write<T: HDF5Element>(
        _ values: [T], shape: [Int], to datasetPath: String,
        replacing: Bool = false
    ) throws {
        try values.withUnsafeBufferPointer {
            try write(buffer: $0, shape: shape, to: datasetPath, replacing: replacing)
        }
    }

    /// Writes a one-dimensional dataset of `values` (shape [values.count]).
    public func write<T: HDF5Element>(_ values: [T], to datasetPath: String, replacing: Bool = false) throws {
        try write(values, shape: [values.count], to: datasetPath, replacing: replacing)
    }

    /// Writes a matrix as a dataset of shape [rows, cols].
    public func write<T: Scalar & HDF5Element>(
        _ matrix: Matrix<T>, to datasetPath: String,
        replacing: Bool = false
    ) throws {
        try write(matrix.storage, shape: [matrix.rows, matrix.cols], to: datasetPath, replacing: replacing)
    }

    /// Writes `buffer` (row-major) as a dataset of `shape` at `path`: the same as the array form, without a copy.
    public func write<T: HDF5Element>(
        buffer: UnsafeBufferPointer<T>, shape: [Int], to datasetPath: String,
        replacing: Bool = false
    ) throws {
        guard !HDF5ObjectPath.components(datasetPath).isEmpty else {
            throw failure(nil, "a dataset needs a name (got the path \"\(datasetPath)\")")
        }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == buffer.count else {
            throw failure(datasetPath, "\(buffer.count) values do not fill the shape \(shape)")
        }
        try HDF5Library.locked {
            try requireOpen(writing: true)
            if let existing = kindOfObject(at: datasetPath) {
                guard replacing, existing == .dataset else {
                    throw failure(
                        datasetPath,
                        "a \(existing) already exists here; "
                            + (existing == .dataset ? "pass replacing: true to overwrite it" : "choose another name"))
                }
                guard H5Ldelete(id, HDF5ObjectPath.relativeName(datasetPath), gfe_H5P_DEFAULT()) >= 0 else {
                    throw failure(datasetPath, "could not remove the old dataset", kind: .runFailure, hdf5Detail: true)
                }
            }
            let type = T.hdf5ElementType.nativeTypeID!
            let space =
                shape.isEmpty
                ? H5Screate(H5S_SCALAR)
                : H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil)
            guard space >= 0 else { throw failure(datasetPath, "bad shape \(shape)", hdf5Detail: true) }
            defer { H5Sclose(space) }
            let lcpl = intermediateGroupsLinkPlist()
            defer { H5Pclose(lcpl) }
            let dcpl = H5Pcreate(gfe_H5P_DATASET_CREATE())
            defer { H5Pclose(dcpl) }
            if let chunk = HDF5Storage.chunkShape(for: shape, elementSize: MemoryLayout<T>.stride) {
                H5Pset_chunk(dcpl, Int32(chunk.count), chunk.map { hsize_t($0) })
                H5Pset_deflate(dcpl, UInt32(HDF5Storage.gzipLevel))
            }
            let dataset = H5Dcreate2(
                id, HDF5ObjectPath.relativeName(datasetPath), type, space, lcpl, dcpl,
                gfe_H5P_DEFAULT())
            guard dataset >= 0 else {
                throw failure(datasetPath, "could not create the dataset", kind: .runFailure, hdf5Detail: true)
            }
            defer { H5Dclose(dataset) }
            if buffer.count > 0 {
                guard H5Dwrite(dataset, type, gfe_H5S_ALL(), gfe_H5S_ALL(), gfe_H5P_DEFAULT(), buffer.baseAddress) >= 0
                else {
                    throw failure(
                        datasetPath, "could not write the dataset's values", kind: .runFailure, hdf5Detail: true)
                }
            }
        }
    }

    // MARK: - Reading

    /// Reads the dataset at `path` with its shape. Without `converting`, its element type must be exactly
    /// `T`'s (float32 → Float, float64 → Double, int64 → Int64, uint8 → UInt8) or this throws naming both
    /// types. With `converting`, any numeric dataset is converted by HDF5 (e.g. float64 → Float rounds to
    /// nearest; integers to floats exactly where representable).
    public func read<T: HDF5Element>(
        _ datasetPath: String, as type: T.Type = T.self,
        converting: Bool = false
    ) throws -> HDF5Array<T> {
        try HDF5Library.locked {
            try requireOpen()
            let dataset = try openDataset(datasetPath)
            defer { H5Dclose(dataset) }
            let fileType = H5Dget_type(dataset)
            defer { H5Tclose(fileType) }
            let stored = HDF5ElementType(describing: fileType)
            if stored != T.hdf5ElementType {
                guard converting else {
                    throw failure(
                        datasetPath,
                        "holds \(stored) values, expected \(T.hdf5ElementType)"
                            + (stored.isNumeric ? " (read with converting: true to convert)" : ""))
                }
                guard stored.isNumeric else {
                    throw failure(
                        datasetPath, "holds \(stored) values, which cannot be converted to \(T.hdf5ElementType)")
                }
            }
            let shape = try datasetShape(dataset, datasetPath)
            let count = shape.reduce(1, *)
            let memoryType = T.hdf5ElementType.nativeTypeID!
            var failed = false
            let values = [T](unsafeUninitializedCapacity: count) { buffer, initialised in
                if count > 0 {
                    failed =
                        H5Dread(
                            dataset, memoryType, gfe_H5S_ALL(), gfe_H5S_ALL(), gfe_H5P_DEFAULT(),
                            buffer.baseAddress) < 0
                }
                // On failure the values are garbage but of a trivial type; they are dropped below.
                initialised = count
            }
            guard !failed else { throw failure(datasetPath, "could not read the dataset's values", hdf5Detail: true) }
            return HDF5Array(shape: shape, values: values)
        }
    }

    /// Reads a Float32 dataset as [Float]; with `converting`, also float64 (rounded) or integer datasets.
    public func readFloats(_ datasetPath: String, converting: Bool = false) throws -> HDF5Array<Float> {
        try read(datasetPath, as: Float.self, converting: converting)
    }

    /// Reads a Float64 dataset as [Double]; with `converting`, also float32 or integer datasets.
    public func readDoubles(_ datasetPath: String, converting: Bool = false) throws -> HDF5Array<Double> {
        try read(datasetPath, as: Double.self, converting: converting)
    }

    /// Reads an Int64 dataset as [Int64]; with `converting`, also other integer (or float, truncated) datasets.
    public func readInt64s(_ datasetPath: String, converting: Bool = false) throws -> HDF5Array<Int64> {
        try read(datasetPath, as: Int64.self, converting: converting)
    }

    /// Reads a UInt8 dataset as [UInt8]; with `converting`, also other numeric datasets.
    public func readUInt8s(_ datasetPath: String, converting: Bool = false) throws -> HDF5Array<UInt8> {
        try read(datasetPath, as: UInt8.self, converting: converting)
    }

    /// Reads a two-dimensional dataset as a matrix (rows = shape[0]); throws for any other rank.
    public func readMatrix<T: Scalar & HDF5Element>(
        _ datasetPath: String, as type: T.Type = T.self,
        converting: Bool = false
    ) throws -> Matrix<T> {
        let array = try read(datasetPath, as: T.self, converting: converting)
        guard array.shape.count == 2 else {
            throw failure(datasetPath, "has shape \(array.shape), expected a matrix (two dimensions)")
        }
        return Matrix(rows: array.shape[0], cols: array.shape[1], storage: array.values)
    }

    /// The shape, element type and storage of the dataset at `path`.
    public func datasetInfo(_ datasetPath: String) throws -> HDF5DatasetInfo {
        try HDF5Library.locked {
            try requireOpen()
            let dataset = try openDataset(datasetPath)
            defer { H5Dclose(dataset) }
            return try describeDataset(dataset, datasetPath)
        }
    }

    // MARK: - Internals (call with the lock held)

    /// Opens the dataset at `path`; the caller closes it. Distinguishes "nothing there" from "not a dataset".
    func openDataset(_ datasetPath: String) throws -> hid_t {
        switch kindOfObject(at: datasetPath) {
        case .dataset: break
        case nil: throw failure(datasetPath, "no such dataset")
        case .some(let other): throw failure(datasetPath, "expected a dataset, found " + other.withArticle)
        }
        let dataset = H5Dopen2(id, HDF5ObjectPath.relativeName(datasetPath), gfe_H5P_DEFAULT())
        guard dataset >= 0 else { throw failure(datasetPath, "could not open the dataset", hdf5Detail: true) }
        return dataset
    }

    func datasetShape(_ dataset: hid_t, _ datasetPath: String) throws -> [Int] {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        return try shape(ofSpace: space, datasetPath)
    }

    /// The dimensions of a dataspace: [] for a scalar. A null dataspace (no value at all) is an error.
    func shape(ofSpace space: hid_t, _ objectPath: String) throws -> [Int] {
        switch H5Sget_simple_extent_type(space) {
        case H5S_SCALAR: return []
        case H5S_SIMPLE:
            let rank = Int(H5Sget_simple_extent_ndims(space))
            var dims = [hsize_t](repeating: 0, count: rank)
            H5Sget_simple_extent_dims(space, &dims, nil)
            return dims.map { Int($0) }
        default:
            throw failure(objectPath, "has an empty (null) dataspace: no values to read")
        }
    }

    func describeDataset(_ dataset: hid_t, _ datasetPath: String) throws -> HDF5DatasetInfo {
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        let shape = (try? datasetShape(dataset, datasetPath)) ?? []
        let dcpl = H5Dget_create_plist(dataset)
        defer { H5Pclose(dcpl) }
        var chunk: [Int]? = nil
        var gzip: Int? = nil
        if H5Pget_layout(dcpl) == H5D_CHUNKED {
            var dims = [hsize_t](repeating: 0, count: max(shape.count, 1))
            let rank = H5Pget_chunk(dcpl, Int32(dims.count), &dims)
            if rank > 0 { chunk = dims.prefix(Int(rank)).map { Int($0) } }
            for index in 0..<max(H5Pget_nfilters(dcpl), 0) {
                var flags: UInt32 = 0
                var valueCount = 4
                var values = [UInt32](repeating: 0, count: 4)
                var name = [CChar](repeating: 0, count: 64)
                var config: UInt32 = 0
                let filter = H5Pget_filter2(dcpl, UInt32(index), &flags, &valueCount, &values, 64, &name, &config)
                if filter == H5Z_FILTER_DEFLATE { gzip = valueCount > 0 ? Int(values[0]) : nil }
            }
        }
        return HDF5DatasetInfo(
            path: HDF5ObjectPath.absolute(datasetPath, from: path), shape: shape,
            elementType: HDF5ElementType(describing: type), chunkShape: chunk, gzipLevel: gzip)
    }
}
