/*
 * sluice_plugin.h — the Sluice plugin ABI, major version 1.
 *
 * A Sluice plugin is a shared object that exports exactly one function per ABI
 * major version it speaks:
 *
 *     const sluice_plugin_descriptor *sluice_plugin_entry_v1(uint16_t host_major,
 *                                                            uint16_t host_minor);
 *
 * The host calls it once after loading the file. It returns a pointer to a
 * static descriptor (or NULL to decline a host it cannot work with). The host
 * checks the descriptor's magic, struct_size, ABI major and pointer size before
 * it calls any other plugin code.
 *
 * COMPATIBILITY
 *   - A minor version only appends members to the end of a struct; every struct
 *     that crosses the boundary starts with (or carries) struct_size, so each
 *     side reads only the members the other side has.
 *   - A NULL function pointer means "not supported". Hosts and plugins test for
 *     NULL (and for struct_size) before calling an appended member:
 *         if (api->struct_size >= offsetof(sluice_host_api, trace_context)
 *                                 + sizeof(api->trace_context)
 *             && api->trace_context != NULL) { ... }
 *   - A plugin built against an older minor keeps loading: it never reads past
 *     the members it knows. A host may refuse nothing on the minor alone.
 *   - A new major version gets a new entry symbol (sluice_plugin_entry_v2); a
 *     plugin may export several during a migration.
 *   - No host struct is ever exposed: the plugin sees opaque handles only.
 *
 * OWNERSHIP
 *   - Everything the host passes in (messages, topics, configuration, the batch)
 *     is borrowed: valid until the callback returns, or, for a batch whose
 *     on_batch returned SLUICE_BATCH_PENDING, until the plugin calls complete()
 *     for it. The plugin copies what it keeps longer.
 *   - Everything the plugin passes out (produced records, log lines, error
 *     reasons, metric names) is copied by the host before the call returns.
 *   - No memory is ever freed across the boundary.
 *   - Strings are UTF-8 with an explicit length unless documented as
 *     NUL-terminated.
 *
 * THREADING
 *   - validate_config, create, open, close, flush and destroy run on the
 *     agent's control thread, never concurrently with each other for one
 *     instance.
 *   - on_batch runs on one of the host's worker threads. Batches of different
 *     partitions of one instance may run concurrently on different threads; one
 *     partition is never processed concurrently with itself, and its batches
 *     are handed over in ascending offset order.
 *   - Once on_batch returns PENDING, the partition's next batch may reach
 *     on_batch while the earlier one is still pending (that is how a plugin
 *     pipelines). State shared by a partition's pending work and its next
 *     on_batch call (partition_state) therefore needs the plugin's own lock,
 *     or must be touched only from on_batch.
 *   - close(partition) is only called once that partition has no batch in
 *     on_batch and no PENDING batch; flush is only called while no on_batch call
 *     of that instance is running.
 *   - Every host function in sluice_host_api may be called from any thread,
 *     including threads the plugin created, as long as the instance exists.
 *   - No exception, Swift error, trap or longjmp may cross the boundary.
 *
 * STATE (ABI 1.2)
 *   - An agent that declares tables (descriptor.tables) or handles timers
 *     (descriptor.on_timer) is stateful. Its tables are key-value maps kept
 *     per input partition: a local store on the host, backed by a compacted
 *     changelog topic, so they move with the partition and survive a crash.
 *   - state_get/state_put/state_range and timer_schedule/timer_cancel name an
 *     open batch (on_batch or on_timer, until it is finished). Reads see the
 *     store plus every earlier write of the partition, including the batch's
 *     own, in order.
 *   - A batch's writes are all or nothing: they stand once every record of the
 *     batch is finished (OK, SKIP or dead-lettered). If any record asks for
 *     RETRY, or the host sends the batch round again, the batch's writes are
 *     dropped and the whole batch is delivered again.
 *   - Each input record's writes are applied exactly once, across crashes and
 *     rebalances. Records produced by the agent stay at-least-once.
 *   - A stateful agent's partition runs one batch at a time: a PENDING batch
 *     holds its partition until complete(), so no later batch reads writes
 *     that could still be dropped.
 *   - A stateful agent consumes exactly one topic.
 */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "SLCE" in little-endian byte order: the first four bytes of a descriptor. */
#define SLUICE_PLUGIN_MAGIC 0x45434C53u
#define SLUICE_ABI_MAJOR 1
#define SLUICE_ABI_MINOR 3

/** The entry symbol's name for ABI major 1. */
#define SLUICE_PLUGIN_ENTRY_V1 "sluice_plugin_entry_v1"

/** Return values of validate_config, create, open and flush. */
#define SLUICE_STATUS_OK 0
#define SLUICE_STATUS_ERROR 1

/** Per-message results, written by the plugin into sluice_batch.results. */
typedef enum sluice_result {
    SLUICE_RESULT_OK = 0,    /**< finished; the offset may be committed */
    SLUICE_RESULT_RETRY = 1, /**< redeliver later, with backoff */
    SLUICE_RESULT_DLQ = 2,   /**< send to the dead-letter topic; reason via set_error */
    SLUICE_RESULT_SKIP = 3   /**< deliberately ignored; counts as finished */
} sluice_result;

/** What on_batch returns. */
typedef enum sluice_batch_status {
    SLUICE_BATCH_DONE = 0,    /**< results are final now */
    SLUICE_BATCH_PENDING = 1, /**< the plugin will call complete() exactly once, from any thread */
    SLUICE_BATCH_FATAL = 2    /**< the agent cannot go on; reason via set_error(index = SLUICE_BATCH_INDEX) */
} sluice_batch_status;

/** Log levels for sluice_host_api.log. */
typedef enum sluice_log_level {
    SLUICE_LOG_TRACE = 0,
    SLUICE_LOG_DEBUG = 1,
    SLUICE_LOG_INFO = 2,
    SLUICE_LOG_WARNING = 3,
    SLUICE_LOG_ERROR = 4
} sluice_log_level;

/** Capability bits in sluice_plugin_descriptor.capabilities (informational).
 *  Written as casts of literals (not shifts) so Swift imports them as UInt64. */
#define SLUICE_CAP_PENDING   ((uint64_t)1) /**< may return SLUICE_BATCH_PENDING */
#define SLUICE_CAP_PRODUCES  ((uint64_t)2) /**< produces records */
#define SLUICE_CAP_STATELESS ((uint64_t)4) /**< keeps no state between batches */

/** set_error index that names the whole batch rather than one message. */
#define SLUICE_BATCH_INDEX SIZE_MAX

/** produce partition that lets the host's partitioner choose (murmur2 of the key). */
#define SLUICE_PARTITION_ANY (-1)

/** Length of a W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"), without the NUL. */
#define SLUICE_TRACEPARENT_LEN 55

/** Which clock a timer follows (ABI 1.2). */
typedef enum sluice_timer_clock {
    /** Wall-clock time, milliseconds since the epoch. Fires on an idle partition too. */
    SLUICE_CLOCK_WALL = 0,
    /** The partition's stream time: the highest record timestamp seen on it. */
    SLUICE_CLOCK_STREAM = 1
} sluice_timer_clock;

/** state_get/state_put/state_range/timer_* results (ABI 1.2). */
#define SLUICE_STATE_FOUND 1     /**< state_get: the key has a value; the sink was called once */
#define SLUICE_STATE_ABSENT 0    /**< state_get: the key has no value */
#define SLUICE_STATE_ERROR (-1)  /**< refused (unknown table, batch not open, stateless agent); the reason is logged */

/** Longest key and value a table takes, in bytes (ABI 1.2). */
#define SLUICE_STATE_MAX_KEY 4096
#define SLUICE_STATE_MAX_VALUE (1024 * 1024)

/**
 * Receives a value that state_get copies out (ABI 1.2). The bytes are
 * borrowed for the duration of the call: copy what you keep.
 */
typedef void (*sluice_value_sink)(void *context, const uint8_t *value, size_t value_len);

/**
 * Receives one entry of a state_range scan (ABI 1.2), borrowed for the call.
 * Return 0 to go on, non-zero to stop the scan.
 */
typedef int (*sluice_entry_visitor)(void *context, const uint8_t *key, size_t key_len,
                                    const uint8_t *value, size_t value_len);

/** One timer that is due (ABI 1.2). */
typedef struct sluice_timer {
    int32_t clock;              /**< a sluice_timer_clock */
    int64_t due_ms;             /**< when it was due, on its clock */
    const uint8_t *key;         /**< the key it was scheduled with (borrowed) */
    size_t key_len;
} sluice_timer;

/**
 * Timers of one partition that are due, delivered to on_timer as a batch of
 * their own through the partition's lane (never concurrently with its
 * on_batch). The fired timers are already removed: scheduling the same key
 * again from on_timer sets it anew.
 */
typedef struct sluice_timer_batch {
    uint32_t struct_size;       /**< sizeof(sluice_timer_batch) as the host was compiled */
    uint64_t id;                /**< the batch_id for state_*, timer_*, produce and set_error */
    const char *topic;          /**< NUL-terminated */
    int32_t partition;
    void *partition_state;      /**< what open() stored for this partition, or NULL */
    int64_t now_ms;             /**< wall-clock time when the batch was made */
    int64_t stream_time_ms;     /**< the partition's stream time (-1: no record seen yet) */
    size_t count;
    const sluice_timer *timers; /**< count entries, ordered by due time */
} sluice_timer_batch;

/** Opaque: the host's side of one plugin instance. */
typedef struct sluice_host sluice_host;

/** One header of a record. The value may contain any bytes. */
typedef struct sluice_header {
    const char *name;
    size_t name_len;
    const uint8_t *value;
    size_t value_len;
} sluice_header;

/**
 * One record of a produce_batch call (ABI 1.3). Borrowed by the host for the
 * call only, like produce's arguments. Passed as an array, it carries no
 * struct_size: it never grows (a later minor that needs more adds a function).
 */
typedef struct sluice_produce_record {
    int32_t partition;          /**< SLUICE_PARTITION_ANY lets the host choose */
    const uint8_t *key;         /**< NULL for a null key */
    size_t key_len;
    const uint8_t *value;       /**< NULL for a null value (tombstone) */
    size_t value_len;
    const sluice_header *headers;
    size_t header_count;
} sluice_produce_record;

/** One consumed record, borrowed (see OWNERSHIP). */
typedef struct sluice_message {
    int64_t offset;
    int64_t timestamp_ms;       /**< record timestamp, milliseconds since the epoch */
    const uint8_t *key;         /**< NULL for a null key */
    size_t key_len;
    const uint8_t *value;       /**< NULL for a null value (tombstone) */
    size_t value_len;
    const sluice_header *headers;
    size_t header_count;
} sluice_message;

/** A batch of one partition's records in ascending offset order. */
typedef struct sluice_batch {
    uint64_t id;                /**< unique per host process; pass to complete/produce/set_error */
    const char *topic;          /**< NUL-terminated */
    int32_t partition;
    uint32_t attempt;           /**< 1 for the first delivery, 2 for the first retry, ... */
    void *partition_state;      /**< what open() stored for this partition, or NULL */
    size_t count;
    const sluice_message *messages;
    uint8_t *results;           /**< count entries, preset to SLUICE_RESULT_OK; the plugin writes sluice_result values */
} sluice_batch;

/**
 * Host services, passed to create(). Valid until destroy() returns.
 * Every function may be called from any thread (see THREADING).
 */
typedef struct sluice_host_api {
    uint32_t struct_size;       /**< sizeof(sluice_host_api) as the host was compiled */
    uint16_t abi_major;
    uint16_t abi_minor;

    /** Log a line under the agent's name. */
    void (*log)(sluice_host *host, sluice_log_level level, const char *message, size_t message_len);

    /**
     * Produce a record. When batch_id names a batch that is not yet finished,
     * the source batch's offsets are committed only after the broker has
     * acknowledged this record; a failed delivery makes the source batch RETRY.
     * batch_id 0 produces a record that gates nothing.
     * key NULL means a null key; partition SLUICE_PARTITION_ANY lets the host choose.
     * Returns SLUICE_STATUS_OK, or SLUICE_STATUS_ERROR when the record cannot be
     * accepted (unknown batch, topic name empty); the reason is logged.
     */
    int (*produce)(sluice_host *host, uint64_t batch_id,
                   const char *topic, size_t topic_len, int32_t partition,
                   const uint8_t *key, size_t key_len,
                   const uint8_t *value, size_t value_len,
                   const sluice_header *headers, size_t header_count);

    /**
     * Finish a batch for which on_batch returns SLUICE_BATCH_PENDING, after
     * writing its results. Exactly once per pending batch, from any thread.
     * It may come before on_batch has returned (a plugin's own thread cannot
     * know when the host took the return value): the host keeps it and
     * applies it once on_batch returns PENDING; the batch memory then belongs
     * to the host again, so on_batch must not touch the batch after handing
     * it to such a thread. A second call, or a call for an unknown batch, is
     * ignored and logged. status is SLUICE_BATCH_DONE or SLUICE_BATCH_FATAL.
     */
    void (*complete)(sluice_host *host, uint64_t batch_id, sluice_batch_status status);

    /**
     * Attach a reason to message `index` of a batch (used in dead-letter
     * headers and logs), or to the whole batch with index SLUICE_BATCH_INDEX.
     * Call it before the batch is finished (on_batch returns DONE, or complete()).
     */
    void (*set_error)(sluice_host *host, uint64_t batch_id, size_t index,
                      const char *reason, size_t reason_len);

    /** Add to a counter named sluice_plugin_<name>{agent="..."}. */
    void (*counter_add)(sluice_host *host, const char *name, size_t name_len, int64_t delta);
    /** Set a gauge named sluice_plugin_<name>{agent="..."}. */
    void (*gauge_set)(sluice_host *host, const char *name, size_t name_len, double value);
    /** Record a value in a histogram named sluice_plugin_<name>{agent="..."}. */
    void (*histogram_record)(sluice_host *host, const char *name, size_t name_len, double value);

    /* ---- ABI 1.1: members below exist when struct_size covers them ---- */

    /**
     * The W3C trace context of batch batch_id: writes the batch span's
     * traceparent (SLUICE_TRACEPARENT_LEN characters and a NUL) into buffer and
     * returns SLUICE_TRACEPARENT_LEN. Returns 0, writing nothing, when tracing
     * is off, the batch is not in flight, or capacity is below
     * SLUICE_TRACEPARENT_LEN + 1. Send the value as the `traceparent` header of
     * requests made for the batch. Records produced for the batch get it
     * from the host already (unless the plugin sets its own traceparent header).
     * Check struct_size first (see COMPATIBILITY): a 1.0 host has no such member.
     */
    size_t (*trace_context)(sluice_host *host, uint64_t batch_id, char *buffer, size_t capacity);

    /* ---- ABI 1.2: tables and timers (see STATE); NULL in a host without them ---- */

    /**
     * Read `key` of `table` for the partition of batch batch_id. When the key
     * has a value, calls sink(context, value, len) once and returns
     * SLUICE_STATE_FOUND; otherwise returns SLUICE_STATE_ABSENT. Returns
     * SLUICE_STATE_ERROR (the reason is logged) for an unknown table, a batch
     * that is not open, or an agent without tables.
     */
    int (*state_get)(sluice_host *host, uint64_t batch_id, const char *table, size_t table_len,
                     const uint8_t *key, size_t key_len, sluice_value_sink sink, void *context);

    /**
     * Write `value` under `key` of `table`; value NULL deletes the key. The
     * write is staged with the batch (see STATE). Returns SLUICE_STATUS_OK or
     * SLUICE_STATE_ERROR (key over SLUICE_STATE_MAX_KEY, value over
     * SLUICE_STATE_MAX_VALUE, unknown table, batch not open).
     */
    int (*state_put)(sluice_host *host, uint64_t batch_id, const char *table, size_t table_len,
                     const uint8_t *key, size_t key_len, const uint8_t *value, size_t value_len);

    /**
     * Visit the entries of `table` with start <= key < end in ascending
     * byte order, at most `limit` of them (0: no limit). start NULL means from
     * the first key, end NULL to the last. Returns the number visited, or
     * SLUICE_STATE_ERROR. The visitor must not call the host.
     */
    int64_t (*state_range)(sluice_host *host, uint64_t batch_id, const char *table, size_t table_len,
                           const uint8_t *start, size_t start_len, const uint8_t *end, size_t end_len,
                           size_t limit, sluice_entry_visitor visit, void *context);

    /**
     * Schedule a timer on the partition of batch batch_id: on_timer receives it
     * once `clock` reaches due_ms. (clock, key) names the timer: scheduling
     * it again moves it. Timers are kept with the tables, so they survive
     * restarts and move with their partition. Returns SLUICE_STATUS_OK or
     * SLUICE_STATE_ERROR.
     */
    int (*timer_schedule)(sluice_host *host, uint64_t batch_id, int32_t clock, int64_t due_ms,
                          const uint8_t *key, size_t key_len);

    /** Cancel the timer (clock, key) of the partition; a missing one is fine. Returns SLUICE_STATUS_OK or SLUICE_STATE_ERROR. */
    int (*timer_cancel)(sluice_host *host, uint64_t batch_id, int32_t clock,
                        const uint8_t *key, size_t key_len);

    /** The partition's stream time (highest record timestamp seen), or -1 before any record or for a batch that is not open. */
    int64_t (*stream_time)(sluice_host *host, uint64_t batch_id);

    /* ---- ABI 1.3: NULL in a host without it ---- */

    /**
     * Produce `count` records to `topic`, in order: what `count` calls of
     * produce with the same batch_id and topic do, in one call. The host
     * checks the batch and the topic once, counts the records against the
     * batch at once and, on memory://, stores them under one lock. A plugin
     * that produces many records per batch gathers them and calls this once
     * per batch (or per few hundred records) instead of produce per record.
     * Returns SLUICE_STATUS_OK, or SLUICE_STATUS_ERROR when the records cannot
     * be accepted (unknown batch, topic name empty); the reason is logged.
     */
    int (*produce_batch)(sluice_host *host, uint64_t batch_id, const char *topic, size_t topic_len,
                         const sluice_produce_record *records, size_t count);
} sluice_host_api;

/**
 * The static description of a plugin, returned by the entry function.
 * Members up to and including `destroy` are present in every v1 descriptor.
 */
typedef struct sluice_plugin_descriptor {
    uint32_t magic;             /**< SLUICE_PLUGIN_MAGIC */
    uint32_t struct_size;       /**< sizeof(sluice_plugin_descriptor) as the plugin was compiled */
    uint16_t abi_major;         /**< SLUICE_ABI_MAJOR */
    uint16_t abi_minor;         /**< SLUICE_ABI_MINOR */
    uint16_t pointer_size;      /**< sizeof(void *) */
    uint16_t reserved;          /**< zero */

    const char *name;           /**< agent name: [a-z0-9_-]{1,64}, NUL-terminated */
    const char *version;        /**< free-form, e.g. "1.2.0", NUL-terminated */
    const char *description;    /**< one line, or NULL */
    const char *const *topics;  /**< default input topics, NULL-terminated array */
    uint64_t capabilities;      /**< SLUICE_CAP_* bits */
    const char *config_schema;  /**< JSON Schema of the configuration, or NULL */

    /**
     * Check a configuration (JSON text, "{}" when none) without side effects.
     * On failure write a NUL-terminated reason into error (capacity error_cap)
     * and return SLUICE_STATUS_ERROR. May be NULL (every configuration is valid).
     */
    int (*validate_config)(const char *config_json, size_t config_len,
                           char *error, size_t error_cap);

    /**
     * Create an instance. Store it in *instance. On failure write a reason into
     * error and return SLUICE_STATUS_ERROR (nothing to destroy then).
     */
    int (*create)(const sluice_host_api *api, sluice_host *host,
                  const char *config_json, size_t config_len,
                  void **instance, char *error, size_t error_cap);

    /**
     * A partition is assigned. *partition_state starts NULL; what the plugin
     * stores there is passed in every batch of that partition. May be NULL.
     */
    int (*open)(void *instance, const char *topic, int32_t partition, void **partition_state);

    /** Handle a batch; returns a sluice_batch_status. Required. */
    int (*on_batch)(void *instance, sluice_batch *batch);

    /**
     * Push out buffered work. Before it returns, every PENDING batch of the
     * instance should have been completed. May be NULL.
     */
    int (*flush)(void *instance);

    /** A partition is revoked; release what open() stored. May be NULL. */
    void (*close)(void *instance, const char *topic, int32_t partition, void *partition_state);

    /** Release the instance. Required. */
    void (*destroy)(void *instance);

    /* ---- ABI 1.2: members below exist when struct_size covers them ---- */

    /**
     * The tables the agent keeps: NULL-terminated array of names matching
     * [a-z0-9_]{1,64}, or NULL for none. Declaring any makes the agent
     * stateful (see STATE); a host without state refuses such a plugin.
     */
    const char *const *tables;

    /**
     * Timers are due (see sluice_timer_batch). Returns SLUICE_BATCH_DONE or
     * SLUICE_BATCH_FATAL; timers are handled before the call returns (no
     * PENDING). Its state writes stand once it returns DONE. May be NULL (the
     * agent schedules no timers).
     */
    int (*on_timer)(void *instance, sluice_timer_batch *timers);

    /** Passed to validate_config_v2 and create_v2 as their first argument. */
    void *context;

    /** validate_config with the descriptor's context; preferred over validate_config when set. */
    int (*validate_config_v2)(void *context, const char *config_json, size_t config_len,
                              char *error, size_t error_cap);

    /** create with the descriptor's context; preferred over create when set. */
    int (*create_v2)(void *context, const sluice_host_api *api, sluice_host *host,
                     const char *config_json, size_t config_len,
                     void **instance, char *error, size_t error_cap);
} sluice_plugin_descriptor;

/** The entry function's type. */
typedef const sluice_plugin_descriptor *(*sluice_plugin_entry_v1_fn)(uint16_t host_major, uint16_t host_minor);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_PLUGIN_H */
