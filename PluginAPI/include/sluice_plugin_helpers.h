/*
 * sluice_plugin_helpers.h — macros that make a C plugin's descriptor, entry
 * function and host-table checks correct by construction.
 *
 * Optional: everything here expands to plain sluice_plugin.h code. A plugin
 * that includes it needs nothing else (it includes sluice_plugin.h):
 *
 *     #include "sluice_plugin_helpers.h"
 *
 *     static const sluice_plugin_descriptor my_descriptor = {
 *         SLUICE_DESCRIPTOR_FIELDS,
 *         .name = "my-agent",
 *         .version = "1.0.0",
 *         .create = my_create,
 *         .on_batch = my_on_batch,
 *         .destroy = my_destroy,
 *     };
 *
 *     SLUICE_DEFINE_ENTRY(my_descriptor)
 *
 * Works in C99 and later (designated initializers) and in C++20.
 */
#ifndef SLUICE_PLUGIN_HELPERS_H
#define SLUICE_PLUGIN_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sluice_plugin.h"

/**
 * Marks a function as exported from the shared object even when it is built
 * with -fvisibility=hidden (GCC and Clang); empty for other compilers.
 */
#if defined(__GNUC__) || defined(__clang__)
#define SLUICE_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define SLUICE_PLUGIN_EXPORT
#endif

/** `extern "C"` in C++, nothing in C: the entry symbol must not be mangled. */
#ifdef __cplusplus
#define SLUICE_PLUGIN_EXTERN_C extern "C"
#else
#define SLUICE_PLUGIN_EXTERN_C
#endif

/**
 * The header members of a descriptor, for the start of a designated
 * initializer: magic, struct_size, abi_major, abi_minor, pointer_size and
 * reserved, each set from the header the plugin is compiled against. Put it
 * first, then name the other members:
 *
 *     static const sluice_plugin_descriptor d = { SLUICE_DESCRIPTOR_FIELDS, .name = "x", ... };
 *
 * struct_size and abi_minor then always agree with each other and with the
 * members the plugin can set, so the host reads exactly what the plugin has.
 */
#define SLUICE_DESCRIPTOR_FIELDS                                   \
    .magic = SLUICE_PLUGIN_MAGIC,                                  \
    .struct_size = (uint32_t)sizeof(sluice_plugin_descriptor),     \
    .abi_major = SLUICE_ABI_MAJOR,                                 \
    .abi_minor = SLUICE_ABI_MINOR,                                 \
    .pointer_size = (uint16_t)sizeof(void *),                      \
    .reserved = 0

/**
 * Defines the entry function sluice_plugin_entry_v1, exported, returning
 * &descriptor_name (a `static const sluice_plugin_descriptor`) to a host of
 * this ABI major and NULL (declining) to a host of any other major. The
 * host's minor does not matter: a host reads only the descriptor members it
 * knows, and the plugin checks the host table's struct_size before calling a
 * member a host may lack (see SLUICE_HOST_HAS). Use it once per plugin, at
 * file scope, without a trailing semicolon.
 */
#define SLUICE_DEFINE_ENTRY(descriptor_name)                                                          \
    SLUICE_PLUGIN_EXTERN_C SLUICE_PLUGIN_EXPORT const sluice_plugin_descriptor *sluice_plugin_entry_v1( \
        uint16_t host_major, uint16_t host_minor);                                                    \
    SLUICE_PLUGIN_EXTERN_C SLUICE_PLUGIN_EXPORT const sluice_plugin_descriptor *sluice_plugin_entry_v1( \
        uint16_t host_major, uint16_t host_minor) {                                                   \
        (void)host_minor;                                                                             \
        return host_major == SLUICE_ABI_MAJOR ? &(descriptor_name) : NULL;                            \
    }

/**
 * Whether the host table `api` has member `member` (one of the function
 * pointers of sluice_host_api) and it is set: struct_size covers the member
 * and it is not NULL. Test it before calling a member appended after ABI 1.0
 * (trace_context, state_get, ...): an older host's table ends before them.
 *
 *     if (SLUICE_HOST_HAS(api, trace_context)) api->trace_context(...);
 */
#define SLUICE_HOST_HAS(api, member)                                                  \
    ((api) != NULL                                                                    \
     && (size_t)(api)->struct_size >= offsetof(sluice_host_api, member) + sizeof((api)->member) \
     && (api)->member != NULL)

/**
 * Whether the host table `api` provides every ABI 1.2 state function:
 * state_get, state_put, state_range, timer_schedule, timer_cancel and
 * stream_time. A plugin that declares tables or handles timers checks this
 * in create() and refuses with one line when it is false (see
 * sluice_host_state_missing).
 */
#define SLUICE_HOST_HAS_STATE(api)                                                    \
    (SLUICE_HOST_HAS(api, state_get) && SLUICE_HOST_HAS(api, state_put)               \
     && SLUICE_HOST_HAS(api, state_range) && SLUICE_HOST_HAS(api, timer_schedule)     \
     && SLUICE_HOST_HAS(api, timer_cancel) && SLUICE_HOST_HAS(api, stream_time))

/** Whether the host table `api` provides ABI 1.3's produce_batch. */
#define SLUICE_HOST_HAS_PRODUCE_BATCH(api) SLUICE_HOST_HAS(api, produce_batch)

/**
 * Copies `reason` (NUL-terminated) into a create/validate_config error buffer
 * of capacity `error_cap`, cut short to fit and always NUL-terminated.
 * Does nothing when the buffer is NULL or empty.
 */
static inline void sluice_write_error(char *error, size_t error_cap, const char *reason) {
    if (error == NULL || error_cap == 0) return;
    size_t length = strlen(reason);
    if (length >= error_cap) length = error_cap - 1;
    memcpy(error, reason, length);
    error[length] = '\0';
}

/**
 * For create() of a stateful plugin: returns 0 when `api` provides the ABI
 * 1.2 state functions; otherwise writes one line into `error`,
 *
 *     <agent> keeps tables, which need a host with ABI 1.2 state support (this host is 1.1)
 *
 * and returns 1, so create() can return SLUICE_STATUS_ERROR. `agent` is the
 * agent's name (NUL-terminated).
 */
static inline int sluice_host_state_missing(const sluice_host_api *api, const char *agent,
                                            char *error, size_t error_cap) {
    if (SLUICE_HOST_HAS_STATE(api)) return 0;
    if (error == NULL || error_cap == 0) return 1;
    if (api == NULL) {
        snprintf(error, error_cap, "%s keeps tables, which need a host with ABI 1.2 state support (no host table)", agent);
    } else {
        /* A 1.2 (or later) host table whose state functions are NULL: the host was built without them. */
        int has_minor = api->abi_major > SLUICE_ABI_MAJOR || api->abi_minor >= 2;
        snprintf(error, error_cap, "%s keeps tables, which need a host with ABI 1.2 state support (this host is %u.%u%s)",
                 agent, (unsigned)api->abi_major, (unsigned)api->abi_minor, has_minor ? " without it" : "");
    }
    return 1;
}

#endif /* SLUICE_PLUGIN_HELPERS_H */
