// Compile-time checks of the v1 layout, so an accidental change to the header
// (a reordered or inserted member) breaks the build instead of old plugins.
#include "sluice_plugin.h"

_Static_assert(sizeof(void *) != 8 || sizeof(sluice_message) == 64, "sluice_message layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_batch) == 56, "sluice_batch layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_header) == 32, "sluice_header layout changed");
// v1.0's members end at 64 bytes; 1.1 appended trace_context right after them.
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, histogram_record) == 56, "sluice_host_api v1.0 layout changed");
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, trace_context) == 64, "sluice_host_api v1.1 layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_host_api) == 72, "sluice_host_api v1.1 layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_plugin_descriptor) == 120, "sluice_plugin_descriptor v1.0 layout changed");
_Static_assert(offsetof(sluice_plugin_descriptor, magic) == 0, "magic must come first");
