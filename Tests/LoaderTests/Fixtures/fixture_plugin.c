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
 * ABI 1.2 members (with the current header only):
 *   -DTABLES='"a","b"'    the tables it declares
 *   -DON_TIMER            on_timer is set
 *   -DV2_ENTRY_POINTS     validate_config_v2 and create_v2 with a context, and
 *                         the 1.0 validate_config and create NULL
 *   -DNO_CREATE           neither create nor create_v2
 *
 * validate_config rejects a configuration containing "fail":true. The _v2
 * ones do too, naming the context they were called with ("fail was requested
 * (context fixture-context)"); create_v2 fails the same way for "fail_create":true.
 *
 * Built against the current header and without a flag that breaks the
 * descriptor's header members or the entry, it uses sluice_plugin_helpers.h.
 */
#include <string.h>
#include "sluice_plugin.h"

#if SLUICE_ABI_MINOR >= 2
#include "sluice_plugin_helpers.h"
#endif
/* The header members are written out when a flag breaks one of them (or the frozen 1.0 header has no helpers). */
#if defined(MAGIC) || defined(ABI_MAJOR) || defined(STRUCT_SIZE) || defined(POINTER_SIZE) || defined(NEWER_MINOR) \
    || SLUICE_ABI_MINOR < 2
#define HAND_WRITTEN_HEADER 1
#endif

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

/* Not every variant refers to every hook. */
#define MAYBE_UNUSED __attribute__((unused))

static int contains(const char *text, size_t length, const char *needle) {
    size_t needle_length = strlen(needle);
    for (size_t i = 0; i + needle_length <= length; i++) {
        if (memcmp(text + i, needle, needle_length) == 0) return 1;
    }
    return 0;
}

MAYBE_UNUSED static int fixture_validate(const char *config, size_t length, char *error, size_t capacity) {
    if (contains(config, length, "\"fail\":true")) {
        strncpy(error, "fail was requested", capacity - 1);
        error[capacity - 1] = '\0';
        return SLUICE_STATUS_ERROR;
    }
    return SLUICE_STATUS_OK;
}

#ifdef V2_ENTRY_POINTS
/* The descriptor's context: the _v2 entry points report what they were given. */
static const char fixture_context[] = "fixture-context";

static void fail_naming_context(void *context, const char *what, char *error, size_t capacity) {
    const char *name = context == fixture_context ? fixture_context : "(another pointer)";
    size_t used = 0;
    const char *parts[] = {what, " (context ", name, ")"};
    for (size_t p = 0; p < 4; p++) {
        size_t n = strlen(parts[p]);
        if (n > capacity - 1 - used) n = capacity - 1 - used;
        memcpy(error + used, parts[p], n);
        used += n;
    }
    error[used] = '\0';
}
#endif

#ifdef UNDEFINED_SYMBOL
/* Declared, never defined: RTLD_NOW makes dlopen fail on it. */
extern void sluice_fixture_missing_function(void);
#endif

MAYBE_UNUSED static int fixture_create(const sluice_host_api *api, sluice_host *host, const char *config, size_t length,
                          void **instance, char *error, size_t capacity) {
    (void)api; (void)host; (void)config; (void)length; (void)error; (void)capacity;
#ifdef UNDEFINED_SYMBOL
    sluice_fixture_missing_function();
#endif
    static int dummy;
    *instance = &dummy;
    return SLUICE_STATUS_OK;
}

#ifdef V2_ENTRY_POINTS
static int fixture_validate_v2(void *context, const char *config, size_t length, char *error, size_t capacity) {
    if (contains(config, length, "\"fail\":true")) {
        fail_naming_context(context, "fail was requested", error, capacity);
        return SLUICE_STATUS_ERROR;
    }
    return SLUICE_STATUS_OK;
}

static int fixture_create_v2(void *context, const sluice_host_api *api, sluice_host *host, const char *config,
                             size_t length, void **instance, char *error, size_t capacity) {
    if (contains(config, length, "\"fail_create\":true")) {
        fail_naming_context(context, "create_v2 failed as requested", error, capacity);
        return SLUICE_STATUS_ERROR;
    }
    return fixture_create(api, host, config, length, instance, error, capacity);
}
#endif

#ifdef ON_TIMER
static int fixture_on_timer(void *instance, sluice_timer_batch *timers) {
    (void)instance; (void)timers;
    return SLUICE_BATCH_DONE;
}
#endif

#ifdef TABLES
static const char *const fixture_tables[] = {TABLES, NULL};
#endif

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
#ifdef HAND_WRITTEN_HEADER
        .magic = MAGIC,
        .struct_size = STRUCT_SIZE,
        .abi_major = ABI_MAJOR,
        .abi_minor = ABI_MINOR,
        .pointer_size = POINTER_SIZE,
#else
        SLUICE_DESCRIPTOR_FIELDS,
#endif
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
#if !defined(V2_ENTRY_POINTS)
        .validate_config = fixture_validate,
#endif
#if !defined(V2_ENTRY_POINTS) && !defined(NO_CREATE)
        .create = fixture_create,
#endif
#ifndef NO_ON_BATCH
        .on_batch = fixture_on_batch,
#endif
        .destroy = fixture_destroy,
#ifdef TABLES
        .tables = fixture_tables,
#endif
#ifdef ON_TIMER
        .on_timer = fixture_on_timer,
#endif
#ifdef V2_ENTRY_POINTS
        .context = (void *)fixture_context,
        .validate_config_v2 = fixture_validate_v2,
        .create_v2 = fixture_create_v2,
#endif
    },
};

#if !defined(HAND_WRITTEN_HEADER) && !defined(ENTRY_V2_ONLY) && !defined(DECLINE)
SLUICE_DEFINE_ENTRY(descriptor.base)
#else
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
#endif
