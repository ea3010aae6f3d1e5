import CHDF5
import GFECore

/// One member of a group, as listed by `members()` and `walk()`.
public struct HDF5Member: Equatable, Sendable {
    public enum Kind: String, Sendable, CustomStringConvertible {
        case group, dataset
        /// A named datatype, a dangling link or anything else that is neither a group nor a dataset.
        case other
        public var description: String { rawValue }
        /// "a group", "a dataset", or what `other` stands for, for messages.
        public var withArticle: String {
            self == .other ? "a link that leads to no object, or a named datatype" : "a \(rawValue)"
        }
    }
    /// The link name inside its group ("decoder.0.weight").
    public let name: String
    /// The absolute path in the file ("/decoder_init/decoder.0.weight").
    public let path: String
    public let kind: Kind
    /// Dimensions of a dataset ([] for a scalar); nil for groups and other objects.
    public let shape: [Int]?
    /// Element type of a dataset; nil for groups and other objects.
    public let elementType: HDF5ElementType?
}

extension HDF5Group {
    /// The members of the group at `groupPath` (default: this group), in name order.
    public func members(of groupPath: String = ".") throws -> [HDF5Member] {
        try HDF5Library.locked {
            try requireGroup(at: groupPath)
            return try listMembers(groupPath)
        }
    }

    /// Every object below the group at `groupPath` (default: this group), depth first: each group is followed
    /// by its own members, in name order at every level.
    public func walk(_ groupPath: String = ".") throws -> [HDF5Member] {
        var all: [HDF5Member] = []
        for member in try members(of: groupPath) {
            all.append(member)
            if member.kind == .group { all += try walk(member.path) }
        }
        return all
    }

    /// Lists the links of a group that exists. Call with the lock held.
    private func listMembers(_ groupPath: String) throws -> [HDF5Member] {
        let group = HDF5ObjectPath.relativeName(groupPath)
        let groupID = H5Gopen2(id, group, gfe_H5P_DEFAULT())
        guard groupID >= 0 else { throw failure(groupPath, "could not open the group", hdf5Detail: true) }
        defer { H5Gclose(groupID) }
        var info = H5G_info_t()
        guard H5Gget_info(groupID, &info) >= 0 else {
            throw failure(groupPath, "could not list the group", hdf5Detail: true)
        }
        let base = HDF5ObjectPath.absolute(groupPath, from: path)
        var result: [HDF5Member] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(groupID, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, gfe_H5P_DEFAULT())
            guard length >= 0 else { continue }
            var buffer = [CChar](repeating: 0, count: length + 1)
            H5Lget_name_by_idx(groupID, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, gfe_H5P_DEFAULT())
            let name = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let memberPath = HDF5ObjectPath.absolute(name, from: base)
            let kind = kindOfObject(at: memberPath) ?? .other
            var shape: [Int]? = nil
            var elementType: HDF5ElementType? = nil
            if kind == .dataset {
                let dataset = try openDataset(memberPath)
                defer { H5Dclose(dataset) }
                let description = try describeDataset(dataset, memberPath)
                shape = description.shape
                elementType = description.elementType
            }
            result.append(HDF5Member(name: name, path: memberPath, kind: kind, shape: shape, elementType: elementType))
        }
        return result
    }
}
