import CHDF5
import GFECore

/// What every object of one open file shares: the names for messages and whether the file is still open.
final class HDF5FileContext: @unchecked Sendable {
    /// The path the caller gave (the target of a write): used in every message.
    let displayPath: String
    /// The file HDF5 actually works on: the target itself when read-only, a temporary sibling when writable.
    let workingPath: String
    let isWritable: Bool
    /// Set to false when the file is closed; guarded by the HDF5 lock.
    var isOpen = true

    init(displayPath: String, workingPath: String, isWritable: Bool) {
        self.displayPath = displayPath
        self.workingPath = workingPath
        self.isWritable = isWritable
    }
}

/// A group of an open HDF5 file: the place datasets, subgroups and attributes are read and written.
///
/// Paths given to its methods are relative to this group ("a/b/c") or absolute from the file's root
/// ("/a/b"). Every failure is a `StoreError` naming the file and the object path. All HDF5 calls are
/// serialised through one global lock, so groups may be used from several threads. A group stays usable
/// until its file is closed; after that every call throws.
public class HDF5Group: @unchecked Sendable {
    let context: HDF5FileContext
    /// The HDF5 identifier of this group (for the root: the file's own identifier).
    let id: hid_t
    /// Whether this object closes `id` when released (the file closes the root's itself).
    private let closesID: Bool
    /// Absolute path of this group in the file: "/" for the root.
    public let path: String
    /// The open file this group belongs to, kept alive while the group is (nil for the file itself), so a
    /// group taken from a temporary `HDF5File` stays usable.
    private let owner: HDF5File?

    init(context: HDF5FileContext, id: hid_t, path: String, closesID: Bool, owner: HDF5File?) {
        self.context = context
        self.id = id
        self.path = path
        self.closesID = closesID
        self.owner = owner
    }

    deinit {
        guard closesID else { return }
        HDF5Library.locked {
            // Once the file is closed (strongly, closing every object in it) the id is no longer valid.
            if context.isOpen { _ = H5Gclose(id) }
        }
    }

    /// The path of the file as given when it was opened or created.
    public var filePath: String { context.displayPath }

    // MARK: - Errors

    /// An error about the object at `objectPath` (relative to this group), with HDF5's own explanation of the
    /// failure when `hdf5Detail` is set (call with the lock held, right after the failing call).
    func failure(
        _ objectPath: String?, _ problem: String, kind: GFEError.Kind = .badInput,
        hdf5Detail: Bool = false
    ) -> StoreError {
        var text = problem
        if hdf5Detail {
            let detail = HDF5Library.takeErrorDescription()
            if !detail.isEmpty { text += " (HDF5: \(detail))" }
        }
        return StoreError(
            file: context.displayPath,
            object: objectPath.map { HDF5ObjectPath.absolute($0, from: path) }, problem: text, kind: kind)
    }

    /// Throws unless the file is open (and writable, when `writing`). Call with the lock held.
    func requireOpen(writing: Bool = false) throws {
        guard context.isOpen else {
            throw StoreError(file: context.displayPath, problem: "the file was already closed", kind: .runFailure)
        }
        if writing && !context.isWritable {
            throw StoreError(
                file: context.displayPath,
                problem: "opened read-only; open it with mode .readWrite (or create it) to write",
                kind: .runFailure)
        }
    }

    // MARK: - Objects and groups

    /// What is at `path`: a group, a dataset, something else, or nothing (nil). Call with the lock held.
    func kindOfObject(at objectPath: String) -> HDF5Member.Kind? {
        let prefixes = HDF5ObjectPath.prefixes(objectPath)
        guard let full = prefixes.last else { return .group }
        // H5Lexists fails (rather than answering false) when an intermediate group is missing: check each prefix.
        for prefix in prefixes {
            guard H5Lexists(id, prefix, gfe_H5P_DEFAULT()) > 0 else { return nil }
        }
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, full, &info, UInt32(H5O_INFO_BASIC), gfe_H5P_DEFAULT()) >= 0 else {
            _ = HDF5Library.takeErrorDescription()
            return .other  // e.g. a dangling soft link
        }
        switch info.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        default: return .other
        }
    }

    /// Whether an object (group, dataset or other) exists at `path`.
    public func contains(_ objectPath: String) -> Bool {
        HDF5Library.locked { context.isOpen && kindOfObject(at: objectPath) != nil }
    }

    /// The kind of object at `path`, or nil when there is none.
    public func kind(of objectPath: String) throws -> HDF5Member.Kind? {
        try HDF5Library.locked {
            try requireOpen()
            return kindOfObject(at: objectPath)
        }
    }

    /// Throws unless this group is open and `groupPath` names a group in it. Call with the HDF5 lock held.
    func requireGroup(at groupPath: String) throws {
        try requireOpen()
        switch kindOfObject(at: groupPath) {
        case .group: break
        case nil: throw failure(groupPath, "no such group")
        case .some(let other): throw failure(groupPath, "expected a group, found " + other.withArticle)
        }
    }

    /// The existing group at `path`. Throws when there is none or the object there is not a group.
    public func group(_ groupPath: String) throws -> HDF5Group {
        try HDF5Library.locked {
            try requireGroup(at: groupPath)
            let groupID = H5Gopen2(id, HDF5ObjectPath.relativeName(groupPath), gfe_H5P_DEFAULT())
            guard groupID >= 0 else { throw failure(groupPath, "could not open the group", hdf5Detail: true) }
            return HDF5Group(
                context: context, id: groupID, path: HDF5ObjectPath.absolute(groupPath, from: path),
                closesID: true, owner: owner ?? (self as? HDF5File))
        }
    }

    /// The group at `path`, created with any missing intermediate groups when it does not exist yet.
    /// Throws when something other than a group is in the way.
    @discardableResult
    public func createGroup(_ groupPath: String) throws -> HDF5Group {
        try HDF5Library.locked {
            try requireOpen(writing: true)
            for prefix in HDF5ObjectPath.prefixes(groupPath) {
                switch kindOfObject(at: prefix) {
                case .group: continue
                case nil:
                    let created = H5Gcreate2(id, prefix, gfe_H5P_DEFAULT(), gfe_H5P_DEFAULT(), gfe_H5P_DEFAULT())
                    guard created >= 0 else {
                        throw failure(prefix, "could not create the group", kind: .runFailure, hdf5Detail: true)
                    }
                    H5Gclose(created)
                case .some(let other):
                    throw failure(prefix, "cannot create a group here: a \(other) already has this name")
                }
            }
            return try group(groupPath)
        }
    }

    /// Removes the link at `path` (a dataset or a whole group). The space is reclaimed when the file is
    /// rewritten, not immediately (an HDF5 property).
    public func delete(_ objectPath: String) throws {
        try HDF5Library.locked {
            try requireOpen(writing: true)
            guard kindOfObject(at: objectPath) != nil else {
                throw failure(objectPath, "nothing to delete: no such object")
            }
            guard H5Ldelete(id, HDF5ObjectPath.relativeName(objectPath), gfe_H5P_DEFAULT()) >= 0 else {
                throw failure(objectPath, "could not delete the object", kind: .runFailure, hdf5Detail: true)
            }
        }
    }

    /// The link creation property list that creates missing intermediate groups. Caller closes it.
    func intermediateGroupsLinkPlist() -> hid_t {
        let lcpl = H5Pcreate(gfe_H5P_LINK_CREATE())
        H5Pset_create_intermediate_group(lcpl, 1)
        return lcpl
    }
}
