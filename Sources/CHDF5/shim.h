// HDF5 (Debian libhdf5-dev, serial; include path from pkg-config `hdf5-serial`).
// HDF5's type and property-list identifiers are macros over global variables that Swift cannot import,
// so each one used is wrapped in a static-inline function here.
#include <hdf5.h>

static inline hid_t gfe_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t gfe_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t gfe_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t gfe_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t gfe_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t gfe_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t gfe_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t gfe_H5S_ALL(void) { return H5S_ALL; }
