"""Writes NumPy .npy arrays and .npz archives with the standard library only, byte for byte the same on every
machine (fixed zip timestamps), so that generated example data have one SHA-256 and runs on them one id."""

import struct
import zipfile

_CODES = {"float32": ("<f4", "f"), "uint8": ("|u1", "B")}


def npy_bytes(values, shape, dtype="float32"):
    """The .npy (format 1.0) bytes of `values` (flat, C order) with `shape`."""
    descr, code = _CODES[dtype]
    count = 1
    for n in shape:
        count *= n
    if len(values) != count:
        raise ValueError(f"{len(values)} values for shape {shape}")
    dims = ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    # Magic (6) + version (2) + length (2) + header + newline, padded with spaces to a multiple of 64.
    padding = -(10 + len(header) + 1) % 64
    header = (header + " " * padding + "\n").encode("latin1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + struct.pack(f"<{count}{code}", *values)


def write_npz(path, arrays):
    """Writes `arrays` (name -> (values, shape, dtype)) as an uncompressed .npz, as numpy.savez does."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, (values, shape, dtype) in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, npy_bytes(values, shape, dtype))
