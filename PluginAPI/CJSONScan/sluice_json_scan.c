// The scan is `static inline` in its header; SwiftPM wants a source file in a C target.
#include "sluice_json_scan.h"
