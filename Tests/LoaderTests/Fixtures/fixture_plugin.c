/*
 * A minimal Sluice plugin for the loader tests. One source, many variants:
 * each -D flag below breaks exactly one thing the loader checks.
 *
 *   -DNAME='"x"'          agent name (default "fixture"); -DNULL_NAME for NULL
 *   -DVERSION='"x"'       version string (default "1.0.0")
 *   -DMAGIC=0x...         descriptor magic (default SLUICE_PLUGIN_MAGIC)
 *   -DABI_MAJOR=n         descriptor abi_major (default SLUICE_ABI_MAJOR)
 *   -DSTRUCT_SIZE=n       descriptor struct_size (default sizeof)
 *   -DPOINTER_SIZE=n      descriptor pointer_size (default sizeof(void *))
 *   -DENTRY_V2_ONLY       export sluice_plugin_entry_v2 instead of _v1
 *   -DDECLINE             the entry function returns NULL
 *   -DNO_ON_BATCH         on_batch is NULL
 *   -DNEWER_MINOR         a v1.1-style descriptor with an appended member
 *   -DUNDEFINED_SYMBOL    create calls a function nothing defines (dlopen fails)
 *
 * validate_config rejects a configuration containing "fail":true.
 */
#include <string.h>
#include "sluice_plugin.h"

#ifndef NAME
#define NAME "fixture"
#endif
#ifndef VERSION
#define VERSION "1.0.0"
#endif
#ifndef MAGIC
#define MAGIC SLUICE_PLUGIN_MAGIC
#endif
#ifndef ABI_MAJOR
#define ABI_MAJOR SLUICE_ABI_MAJOR
#endif
#ifndef POINTER_SIZE
#define POINTER_SIZE sizeof(void *)
#endif

static int contains(const char *text, size_t length, const char *needle) {
    size_t needle_length = strlen(needle);
    for (size_t i = 0; i + needle_length <= length; i++) {
        if (memcmp(text + i, needle, needle_length) == 0) return 1;
    }
    return 0;
}

static int fixture_validate(const char *config, size_t length, char *error, size_t capacity) {
    if (contains(config, length, "\"fail\":true")) {
        strncpy(error, "fail was requested", capacity - 1);
        error[capacity - 1] = '\0';
        return SLUICE_STATUS_ERROR;
    }
    return SLUICE_STATUS_OK;
}

#ifdef UNDEFINED_SYMBOL
/* Declared, never defined: RTLD_NOW makes dlopen fail on it. */
extern void sluice_fixture_missing_function(void);
#endif

static int fixture_create(const sluice_host_api *api, sluice_host *host, const char *config, size_t length,
                          void **instance, char *error, size_t capacity) {
    (void)api; (void)host; (void)config; (void)length; (void)error; (void)capacity;
#ifdef UNDEFINED_SYMBOL
    sluice_fixture_missing_function();
#endif
    static int dummy;
    *instance = &dummy;
    return SLUICE_STATUS_OK;
}

#ifndef NO_ON_BATCH
static int fixture_on_batch(void *instance, sluice_batch *batch) {
    (void)instance; (void)batch;
    return SLUICE_BATCH_DONE;
}
#endif

static void fixture_destroy(void *instance) { (void)instance; }

static const char *const fixture_topics[] = {"orders", "payments", NULL};

/* A later minor version appends members; the v1.0 part stays a prefix. */
typedef struct fixture_descriptor {
    sluice_plugin_descriptor base;
#ifdef NEWER_MINOR
    void (*appended_hook)(void *instance);
    uint64_t appended_flags;
#endif
} fixture_descriptor;

#ifdef NEWER_MINOR
#define ABI_MINOR (SLUICE_ABI_MINOR + 1)
#else
#define ABI_MINOR SLUICE_ABI_MINOR
#endif
#ifndef STRUCT_SIZE
#define STRUCT_SIZE sizeof(fixture_descriptor)
#endif

/* -DSCHEMA_FEED_CACHE: a config_schema the host checks (ttl_seconds 1-86400,
 * required; api_token a secret; unknown keys refused; a "pattern" the host
 * does not check). -DSCHEMA_BROKEN: a config_schema that is not JSON. */
#if defined(SCHEMA_FEED_CACHE)
#define CONFIG_SCHEMA "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"ttl_seconds\"]," \
    "\"properties\":{\"ttl_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":86400}," \
    "\"api_token\":{\"type\":\"string\",\"writeOnly\":true,\"default\":\"schema-default-SECRET\"}," \
    "\"mode\":{\"enum\":[\"fast\",\"safe\"]}," \
    "\"servers\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\",\"additionalProperties\":false," \
    "\"properties\":{\"host\":{\"type\":\"string\",\"minLength\":1,\"pattern\":\"^[a-z]\"},\"port\":{\"type\":\"integer\"}}}}," \
    "\"fail\":{\"type\":\"boolean\"}}}"
#elif defined(SCHEMA_BROKEN)
#define CONFIG_SCHEMA "{\"type\":"
#else
#define CONFIG_SCHEMA "{\"type\":\"object\"}"
#endif

static const fixture_descriptor descriptor = {
    .base = {
        .magic = MAGIC,
        .struct_size = STRUCT_SIZE,
        .abi_major = ABI_MAJOR,
        .abi_minor = ABI_MINOR,
        .pointer_size = POINTER_SIZE,
#ifdef NULL_NAME
        .name = NULL,
#else
        .name = NAME,
#endif
        .version = VERSION,
        .description = "A loader test fixture",
        .topics = fixture_topics,
        .capabilities = SLUICE_CAP_PRODUCES | SLUICE_CAP_STATELESS,
        .config_schema = CONFIG_SCHEMA,
        .validate_config = fixture_validate,
        .create = fixture_create,
#ifndef NO_ON_BATCH
        .on_batch = fixture_on_batch,
#endif
        .destroy = fixture_destroy,
    },
};

#ifdef ENTRY_V2_ONLY
const sluice_plugin_descriptor *sluice_plugin_entry_v2(uint16_t host_major, uint16_t host_minor);
const sluice_plugin_descriptor *sluice_plugin_entry_v2(uint16_t host_major, uint16_t host_minor) {
#else
const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor);
const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major, uint16_t host_minor) {
#endif
    (void)host_major; (void)host_minor;
#ifdef DECLINE
    (void)descriptor;
    return NULL;
#else
    return &descriptor.base;
#endif
}
