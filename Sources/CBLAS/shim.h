// OpenBLAS's CBLAS interface (Debian libopenblas-dev; the include path comes from pkg-config `openblas`).
#include <cblas.h>
