// HDF5 (Debian libhdf5-dev, serial; include path from pkg-config `hdf5-serial`).
// HDF5's type, property-list and flag identifiers are macros over global variables (or casts) that Swift
// cannot import, so each one used is wrapped in a static-inline function here.
#include <hdf5.h>
#include <string.h>

// Predefined native datatypes.
static inline hid_t gfe_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t gfe_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t gfe_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t gfe_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t gfe_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t gfe_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t gfe_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// Property lists and "all" selections.
static inline hid_t gfe_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t gfe_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t gfe_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t gfe_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t gfe_H5S_ALL(void) { return H5S_ALL; }

// File access flags.
static inline unsigned gfe_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned gfe_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned gfe_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }

/// Makes sure the library is initialised and stops HDF5 printing its error stack to stderr on every failure:
/// the Swift layer turns each failure into one error message of its own.
static inline void gfe_H5_silence_errors(void) {
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

// Collects the most specific entry of the current error stack (the first one met walking upward).
static inline herr_t gfe_H5E_first_entry(unsigned n, const H5E_error2_t *err, void *client) {
    char *out = (char *)client;
    if (n == 0 && err != NULL && err->desc != NULL) {
        strncpy(out, err->desc, 255);
        out[255] = '\0';
    }
    return 0;
}

/// Copies the description of the innermost error on the current HDF5 error stack into `buffer`
/// (at least 256 bytes), or an empty string when the stack is empty; then clears the stack.
static inline void gfe_H5E_innermost_description(char *buffer) {
    buffer[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, gfe_H5E_first_entry, buffer);
    H5Eclear2(H5E_DEFAULT);
}
