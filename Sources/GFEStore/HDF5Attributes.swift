import CHDF5
import GFECore

extension HDF5Group {
    // MARK: - Writing

    /// Sets attribute `name` on the object at `objectPath` ("." or "" = this group; a dataset or group path
    /// otherwise), replacing any attribute of that name. Strings are stored as UTF-8, variable-length unless
    /// `strings` is `.fixedLength`. Array attributes are one-dimensional (an empty array is allowed).
    public func setAttribute(
        _ name: String, _ value: HDF5AttributeValue, on objectPath: String = ".",
        strings: HDF5StringStorage = .variableLength
    ) throws {
        guard !name.isEmpty else { throw failure(objectPath, "an attribute needs a name") }
        try HDF5Library.locked {
            try requireOpen(writing: true)
            guard kindOfObject(at: objectPath) != nil else {
                throw failure(objectPath, "cannot set attribute '\(name)': no such object")
            }
            let object = HDF5ObjectPath.relativeName(objectPath)
            if H5Aexists_by_name(id, object, name, gfe_H5P_DEFAULT()) > 0 {
                guard H5Adelete_by_name(id, object, name, gfe_H5P_DEFAULT()) >= 0 else {
                    throw failure(
                        objectPath, "could not replace attribute '\(name)'", kind: .runFailure, hdf5Detail: true)
                }
            }
            func create(type: hid_t, count: Int?, _ write: (hid_t) -> herr_t) throws {
                let space = count.map { H5Screate_simple(1, [hsize_t($0)], nil) } ?? H5Screate(H5S_SCALAR)
                defer { H5Sclose(space) }
                let attribute = H5Acreate_by_name(
                    id, object, name, type, space, gfe_H5P_DEFAULT(), gfe_H5P_DEFAULT(),
                    gfe_H5P_DEFAULT())
                guard attribute >= 0 else {
                    throw failure(
                        objectPath, "could not create attribute '\(name)'", kind: .runFailure, hdf5Detail: true)
                }
                defer { H5Aclose(attribute) }
                guard write(attribute) >= 0 else {
                    throw failure(
                        objectPath, "could not write attribute '\(name)'", kind: .runFailure, hdf5Detail: true)
                }
            }
            func createArray<T: HDF5Element>(_ values: [T]) throws {
                let type = T.hdf5ElementType.nativeTypeID!
                try create(type: type, count: values.count) { attribute in
                    // HDF5 wants a non-null buffer even for zero elements (it reads none of it).
                    let placeholder: T? = values.first
                    return values.isEmpty
                        ? withUnsafePointer(to: placeholder) { H5Awrite(attribute, type, $0) }
                        : values.withUnsafeBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
                }
            }
            switch value {
            case .int64(var v):
                try create(type: gfe_H5T_NATIVE_INT64(), count: nil) { H5Awrite($0, gfe_H5T_NATIVE_INT64(), &v) }
            case .double(var v):
                try create(type: gfe_H5T_NATIVE_DOUBLE(), count: nil) { H5Awrite($0, gfe_H5T_NATIVE_DOUBLE(), &v) }
            case .bool(let b):
                let type = h5pyBoolType()
                defer { H5Tclose(type) }
                var v: Int8 = b ? 1 : 0
                try create(type: type, count: nil) { H5Awrite($0, type, &v) }
            case .string(let text):
                let bytes = Array(text.utf8)
                let type = H5Tcopy(gfe_H5T_C_S1())
                defer { H5Tclose(type) }
                H5Tset_cset(type, H5T_CSET_UTF8)
                switch strings {
                case .variableLength:
                    H5Tset_size(type, gfe_H5T_VARIABLE())
                    H5Tset_strpad(type, H5T_STR_NULLTERM)
                    try text.withCString { cString in
                        var pointer: UnsafePointer<CChar>? = cString
                        try create(type: type, count: nil) { H5Awrite($0, type, &pointer) }
                    }
                case .fixedLength:
                    H5Tset_size(type, max(bytes.count, 1))
                    H5Tset_strpad(type, H5T_STR_NULLPAD)
                    let padded = bytes.isEmpty ? [UInt8(0)] : bytes
                    try create(type: type, count: nil) { attribute in
                        padded.withUnsafeBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
                    }
                }
            case .int64Array(let v): try createArray(v)
            case .doubleArray(let v): try createArray(v)
            case .floatArray(let v): try createArray(v)
            case .uint8Array(let v): try createArray(v)
            case .unsupported(let what):
                throw failure(objectPath, "cannot write attribute '\(name)': \(what) is not a writable value")
            }
        }
    }

    /// Removes attribute `name` from the object at `objectPath`; throws when it does not exist.
    public func deleteAttribute(_ name: String, on objectPath: String = ".") throws {
        try HDF5Library.locked {
            try requireOpen(writing: true)
            guard try attributeExists(name, objectPath) else { throw failure(objectPath, "no attribute '\(name)'") }
            guard H5Adelete_by_name(id, HDF5ObjectPath.relativeName(objectPath), name, gfe_H5P_DEFAULT()) >= 0 else {
                throw failure(objectPath, "could not delete attribute '\(name)'", kind: .runFailure, hdf5Detail: true)
            }
        }
    }

    // MARK: - Reading

    /// Whether the object at `objectPath` has an attribute `name`. Throws when there is no such object.
    public func hasAttribute(_ name: String, on objectPath: String = ".") throws -> Bool {
        try HDF5Library.locked {
            try requireOpen()
            return try attributeExists(name, objectPath)
        }
    }

    /// The value of attribute `name` of the object at `objectPath`. Throws when the object or attribute is missing.
    public func attribute(_ name: String, of objectPath: String = ".") throws -> HDF5AttributeValue {
        try HDF5Library.locked {
            try requireOpen()
            guard try attributeExists(name, objectPath) else {
                throw failure(objectPath, "no attribute '\(name)'")
            }
            return try readAttribute(name, objectPath)
        }
    }

    /// Every attribute of the object at `objectPath`, sorted by name.
    public func attributes(of objectPath: String = ".") throws -> [HDF5Attribute] {
        try HDF5Library.locked {
            try requireOpen()
            return try attributeNames(objectPath).map {
                HDF5Attribute(name: $0, value: try readAttribute($0, objectPath))
            }
        }
    }

    /// Attribute `name` as an integer; throws naming the attribute when it is missing or not an integer.
    public func int64Attribute(_ name: String, of objectPath: String = ".") throws -> Int64 {
        let value = try attribute(name, of: objectPath)
        guard let v = value.int64Value else { throw mismatch(name, objectPath, value, expected: "an integer") }
        return v
    }

    /// Attribute `name` as a Double (integers are converted); throws when it is missing or not a number.
    public func doubleAttribute(_ name: String, of objectPath: String = ".") throws -> Double {
        let value = try attribute(name, of: objectPath)
        guard let v = value.doubleValue else { throw mismatch(name, objectPath, value, expected: "a number") }
        return v
    }

    /// Attribute `name` as a String; throws when it is missing or not a string.
    public func stringAttribute(_ name: String, of objectPath: String = ".") throws -> String {
        let value = try attribute(name, of: objectPath)
        guard let v = value.stringValue else { throw mismatch(name, objectPath, value, expected: "a string") }
        return v
    }

    private func mismatch(_ name: String, _ objectPath: String, _ value: HDF5AttributeValue, expected: String)
        -> StoreError
    {
        failure(objectPath, "attribute '\(name)' = \(value) (\(value.typeDescription)), expected \(expected)")
    }

    // MARK: - Internals (call with the lock held)

    private func attributeExists(_ name: String, _ objectPath: String) throws -> Bool {
        guard kindOfObject(at: objectPath) != nil else { throw failure(objectPath, "no such object") }
        return H5Aexists_by_name(id, HDF5ObjectPath.relativeName(objectPath), name, gfe_H5P_DEFAULT()) > 0
    }

    /// The names of the attributes of the object at `objectPath`, in name order.
    func attributeNames(_ objectPath: String) throws -> [String] {
        guard kindOfObject(at: objectPath) != nil else { throw failure(objectPath, "no such object") }
        let object = HDF5ObjectPath.relativeName(objectPath)
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, object, &info, UInt32(H5O_INFO_NUM_ATTRS), gfe_H5P_DEFAULT()) >= 0 else {
            throw failure(objectPath, "could not list the attributes", hdf5Detail: true)
        }
        return (0..<info.num_attrs).compactMap { index in
            let length = H5Aget_name_by_idx(id, object, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, gfe_H5P_DEFAULT())
            guard length >= 0 else { return nil }
            var buffer = [CChar](repeating: 0, count: length + 1)
            H5Aget_name_by_idx(id, object, H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, gfe_H5P_DEFAULT())
            return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Reads one attribute, mapping its HDF5 type and shape onto `HDF5AttributeValue`.
    private func readAttribute(_ name: String, _ objectPath: String) throws -> HDF5AttributeValue {
        let attribute = H5Aopen_by_name(
            id, HDF5ObjectPath.relativeName(objectPath), name, gfe_H5P_DEFAULT(),
            gfe_H5P_DEFAULT())
        guard attribute >= 0 else { throw failure(objectPath, "could not open attribute '\(name)'", hdf5Detail: true) }
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let elementType = HDF5ElementType(describing: type)
        let shape: [Int]
        switch H5Sget_simple_extent_type(space) {
        case H5S_SCALAR: shape = []
        case H5S_SIMPLE:
            var dims = [hsize_t](repeating: 0, count: Int(H5Sget_simple_extent_ndims(space)))
            H5Sget_simple_extent_dims(space, &dims, nil)
            shape = dims.map { Int($0) }
        default: return .unsupported("empty \(elementType)")
        }
        let readFailure = { self.failure(objectPath, "could not read attribute '\(name)'", hdf5Detail: true) }

        func readNumbers<T: HDF5Element>(_: T.Type) throws -> [T] {
            let count = shape.reduce(1, *)
            let memoryType = T.hdf5ElementType.nativeTypeID!
            var ok = true
            let values = [T](unsafeUninitializedCapacity: count) { buffer, initialised in
                if count > 0 { ok = H5Aread(attribute, memoryType, buffer.baseAddress) >= 0 }
                initialised = count
            }
            guard ok else { throw readFailure() }
            return values
        }

        let typeClass = H5Tget_class(type)
        if typeClass == H5T_STRING {
            guard shape.isEmpty else { return .unsupported("string array \(shape)") }
            if H5Tis_variable_str(type) > 0 {
                var pointer: UnsafeMutablePointer<CChar>? = nil
                guard H5Aread(attribute, type, &pointer) >= 0 else { throw readFailure() }
                defer { if let pointer { H5free_memory(pointer) } }
                return .string(pointer.map { String(cString: $0) } ?? "")
            }
            let size = H5Tget_size(type)
            var bytes = [UInt8](repeating: 0, count: size + 1)
            guard H5Aread(attribute, type, &bytes) >= 0 else { throw readFailure() }
            var text = bytes.prefix(size)
            // Null-terminated and null-padded strings end at the first NUL; space-padded ones lose trailing spaces.
            if let end = text.firstIndex(of: 0) { text = text[..<end] }
            if H5Tget_strpad(type) == H5T_STR_SPACEPAD { while text.last == 0x20 { text = text.dropLast() } }
            return .string(String(decoding: text, as: UTF8.self))
        }
        if typeClass == H5T_ENUM {
            guard HDF5ElementType.isH5pyBool(type), shape.isEmpty else {
                return .unsupported("\(elementType) \(shape)")
            }
            var v: Int8 = 0
            guard H5Aread(attribute, type, &v) >= 0 else { throw readFailure() }
            return .bool(v != 0)
        }
        guard elementType.isNumeric else {
            return .unsupported(shape.isEmpty ? "\(elementType)" : "\(elementType) \(shape)")
        }
        let isFloat = typeClass == H5T_FLOAT
        if shape.isEmpty {
            return isFloat ? .double(try readNumbers(Double.self)[0]) : .int64(try readNumbers(Int64.self)[0])
        }
        guard shape.count == 1 else { return .unsupported("\(elementType) array of shape \(shape)") }
        switch elementType {
        case .float32: return .floatArray(try readNumbers(Float.self))
        case .uint8: return .uint8Array(try readNumbers(UInt8.self))
        default: return isFloat ? .doubleArray(try readNumbers(Double.self)) : .int64Array(try readNumbers(Int64.self))
        }
    }

    /// The datatype h5py uses for numpy bool: an int8 enum with FALSE = 0, TRUE = 1. Caller closes it.
    private func h5pyBoolType() -> hid_t {
        let type = H5Tenum_create(gfe_H5T_NATIVE_INT8())
        var no: Int8 = 0
        var yes: Int8 = 1
        H5Tenum_insert(type, "FALSE", &no)
        H5Tenum_insert(type, "TRUE", &yes)
        return type
    }
}
