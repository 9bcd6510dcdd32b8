// Compile-time checks of the v1 layout, so an accidental change to the header
// (a reordered or inserted member) breaks the build instead of old plugins.
#include "sluice_plugin.h"

_Static_assert(sizeof(void *) != 8 || sizeof(sluice_message) == 64, "sluice_message layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_batch) == 56, "sluice_batch layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_header) == 32, "sluice_header layout changed");
// v1.0's members end at 64 bytes; 1.1 appended trace_context right after them.
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, histogram_record) == 56, "sluice_host_api v1.0 layout changed");
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, trace_context) == 64, "sluice_host_api v1.1 layout changed");
// 1.2 appended the state and timer functions after trace_context.
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, state_get) == 72, "sluice_host_api v1.2 layout changed");
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, stream_time) == 112, "sluice_host_api v1.2 layout changed");
// 1.3 appended produce_batch; its records are an array, so their size is fixed.
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_host_api, produce_batch) == 120, "sluice_host_api v1.3 layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_host_api) == 128, "sluice_host_api v1.3 layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_produce_record) == 56, "sluice_produce_record layout changed");
// v1.0's descriptor ends at 120 bytes; 1.2 appended tables, on_timer and the _v2 entry points.
_Static_assert(sizeof(void *) != 8 || offsetof(sluice_plugin_descriptor, tables) == 120, "sluice_plugin_descriptor v1.0 layout changed");
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_plugin_descriptor) == 160, "sluice_plugin_descriptor v1.2 layout changed");
// Timer batches carry struct_size; their timers are an array, so their size is fixed.
_Static_assert(sizeof(void *) != 8 || sizeof(sluice_timer) == 32, "sluice_timer layout changed");
_Static_assert(offsetof(sluice_plugin_descriptor, magic) == 0, "magic must come first");
