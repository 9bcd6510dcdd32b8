/*
 * sluice_windows.h — tumbling and hopping windows for C plugins, on top of the
 * ABI 1.2 state and timer functions (see STATE in sluice_plugin.h).
 *
 * Header-only: static inline functions, no allocation on the per-record path
 * (keys are built in fixed stack buffers of SLUICE_STATE_MAX_KEY bytes).
 *
 * WINDOWS
 *   Windows are aligned to the epoch: a window of size S advancing by A
 *   (A == S: tumbling) starts at every multiple of A and covers
 *   [start, start + S) in record-timestamp milliseconds. A record belongs to
 *   every window that covers its timestamp (one when tumbling, up to
 *   ceil(S / A) when hopping). Negative timestamps belong to no window.
 *
 * STORAGE LAYOUT (shared with the Swift SDK's windows: keep it exact)
 *   In the agent's table `table`, with START the window start in epoch
 *   milliseconds as 16-digit zero-padded decimal (e.g. 0001700000000000):
 *     "<key>@START"        the window's value for `key` (bytes of the plugin's choosing)
 *     "\x01START/<key>"    index entry, empty value, written when (key, window) is first touched
 *   Close timers, on BOTH clocks (wall and stream), due at window end + grace,
 *   with the timer key
 *     "w/<table>/START"
 *   Whichever fires first closes the window and cancels the other. Closing is
 *   a state_range over the prefix "\x01START/": each index entry's value is
 *   read, handed to the plugin's emitter, and both entries are deleted.
 *
 * LATENESS
 *   sluice_window_update refuses (SLUICE_WINDOW_LATE) a record whose window
 *   the stream clock has already closed (stream time >= end + grace). The
 *   wall clock closes the windows of an idle partition; a record that comes
 *   later for such a window (stream time behind) opens it again, and it is
 *   closed and emitted again.
 *
 * USE
 *     static const sluice_windows per_minute = SLUICE_WINDOWS_TUMBLING("minutes", 60000, 5000);
 *     // on_batch, for each record:
 *     int64_t starts[1];
 *     size_t n = sluice_windows_assign(&per_minute, m->timestamp_ms, starts, 1);
 *     for (size_t w = 0; w < n; w++)
 *         sluice_window_update(api, host, batch->id, &per_minute, starts[w], m->key, m->key_len, add_one, &scratch);
 *     // on_timer:
 *     return sluice_windows_on_timer(api, host, timers, &per_minute, emit_result, self);
 */
#ifndef SLUICE_WINDOWS_H
#define SLUICE_WINDOWS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sluice_plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Digits of a window start in a stored key. */
#define SLUICE_WINDOW_START_DIGITS 16
/** The latest window start that fits in SLUICE_WINDOW_START_DIGITS digits. */
#define SLUICE_WINDOW_MAX_START INT64_C(9999999999999999)
/** The longest record key a window takes: the index entry adds "\x01", 16 digits and "/". */
#define SLUICE_WINDOW_MAX_KEY (SLUICE_STATE_MAX_KEY - SLUICE_WINDOW_START_DIGITS - 2)
/** sluice_window_update: the stream clock has closed this window already; nothing was written. */
#define SLUICE_WINDOW_LATE 2

/** A window definition: the table it keeps its entries in, its size, advance and grace. */
typedef struct sluice_windows {
    const char *table;  /**< one of the descriptor's tables, NUL-terminated */
    int64_t size_ms;    /**< window length, > 0 */
    int64_t advance_ms; /**< distance between window starts, 0 < advance <= size; == size: tumbling */
    int64_t grace_ms;   /**< how long after its end a window still takes records, >= 0 */
} sluice_windows;

/** A tumbling window definition, usable as a static initializer. */
#define SLUICE_WINDOWS_TUMBLING(table, size_ms, grace_ms) \
    { (table), (int64_t)(size_ms), (int64_t)(size_ms), (int64_t)(grace_ms) }
/** A hopping window definition, usable as a static initializer. */
#define SLUICE_WINDOWS_HOPPING(table, size_ms, advance_ms, grace_ms) \
    { (table), (int64_t)(size_ms), (int64_t)(advance_ms), (int64_t)(grace_ms) }

/**
 * Receives the value of a (key, window) during sluice_window_update: `current`
 * is NULL when the key has nothing in the window yet. Sets *updated (and
 * *updated_len) to the new value, which must stay valid until
 * sluice_window_update returns (point into `context`); returns 0 to store it,
 * non-zero to leave the window as it is. Must not call the host.
 */
typedef int (*sluice_window_updater)(void *context, const uint8_t *current, size_t current_len,
                                     const uint8_t **updated, size_t *updated_len);

/**
 * Receives one (key, window) value as its window closes, borrowed for the
 * call. May call the host (produce). Returns 0 to go on, non-zero to fail the
 * close (sluice_window_close returns SLUICE_STATE_ERROR).
 */
typedef int (*sluice_window_emitter)(void *context, const uint8_t *key, size_t key_len,
                                     int64_t window_start, int64_t window_end,
                                     const uint8_t *value, size_t value_len);

/** Whether `w` is a usable definition (sizes in range, a table name). */
static inline int sluice_windows_valid(const sluice_windows *w) {
    return w != NULL && w->table != NULL && w->table[0] != '\0' && w->size_ms > 0 && w->advance_ms > 0
        && w->advance_ms <= w->size_ms && w->grace_ms >= 0;
}

/** The most windows one timestamp can belong to: ceil(size / advance). */
static inline size_t sluice_windows_per_record(const sluice_windows *w) {
    return (size_t)((w->size_ms + w->advance_ms - 1) / w->advance_ms);
}

/**
 * Writes the starts of the windows covering `timestamp_ms` into `starts`, in
 * ascending order, at most `capacity` of them (the earliest first), and
 * returns how many it wrote. 0 for a negative timestamp or a bad definition.
 */
static inline size_t sluice_windows_assign(const sluice_windows *w, int64_t timestamp_ms,
                                           int64_t *starts, size_t capacity) {
    if (!sluice_windows_valid(w) || timestamp_ms < 0) return 0;
    int64_t last = timestamp_ms - timestamp_ms % w->advance_ms;
    int64_t first = timestamp_ms - w->size_ms + 1; /* the earliest start whose window still covers it */
    if (first < 0) first = 0;
    first = (first + w->advance_ms - 1) / w->advance_ms * w->advance_ms;
    size_t count = 0;
    for (int64_t start = first; start <= last && count < capacity; start += w->advance_ms) {
        if (start > SLUICE_WINDOW_MAX_START) break;
        starts[count++] = start;
    }
    return count;
}

/** The end (exclusive) of the window starting at `start`. */
static inline int64_t sluice_window_end(const sluice_windows *w, int64_t start) {
    return start + w->size_ms;
}

/** Whether the stream clock at `stream_time_ms` has closed the window starting at `start` (end + grace reached). */
static inline int sluice_window_closed_at(const sluice_windows *w, int64_t start, int64_t stream_time_ms) {
    return stream_time_ms >= 0 && stream_time_ms >= start + w->size_ms + w->grace_ms;
}

/* ---- keys (internal; exposed for tests and tools that read the layout) ---- */

/** Writes `start` as SLUICE_WINDOW_START_DIGITS zero-padded decimal digits (no NUL). */
static inline void sluice_window_write_start(uint8_t *out, int64_t start) {
    uint64_t value = (uint64_t)start;
    for (int i = SLUICE_WINDOW_START_DIGITS - 1; i >= 0; i--) {
        out[i] = (uint8_t)('0' + value % 10);
        value /= 10;
    }
}

/** Reads SLUICE_WINDOW_START_DIGITS decimal digits; -1 when one is not a digit. */
static inline int64_t sluice_window_read_start(const uint8_t *digits) {
    int64_t value = 0;
    for (int i = 0; i < SLUICE_WINDOW_START_DIGITS; i++) {
        if (digits[i] < '0' || digits[i] > '9') return -1;
        value = value * 10 + (digits[i] - '0');
    }
    return value;
}

/** "<key>@START" into out (SLUICE_STATE_MAX_KEY bytes); returns its length, 0 when the key is too long. */
static inline size_t sluice_window_entry_key(uint8_t *out, const uint8_t *key, size_t key_len, int64_t start) {
    if (key_len > SLUICE_WINDOW_MAX_KEY) return 0;
    if (key_len > 0) memcpy(out, key, key_len);
    out[key_len] = '@';
    sluice_window_write_start(out + key_len + 1, start);
    return key_len + 1 + SLUICE_WINDOW_START_DIGITS;
}

/** "\x01START/<key>" into out (SLUICE_STATE_MAX_KEY bytes); returns its length, 0 when the key is too long. */
static inline size_t sluice_window_index_key(uint8_t *out, const uint8_t *key, size_t key_len, int64_t start) {
    if (key_len > SLUICE_WINDOW_MAX_KEY) return 0;
    out[0] = 0x01;
    sluice_window_write_start(out + 1, start);
    out[1 + SLUICE_WINDOW_START_DIGITS] = '/';
    if (key_len > 0) memcpy(out + 2 + SLUICE_WINDOW_START_DIGITS, key, key_len);
    return key_len + 2 + SLUICE_WINDOW_START_DIGITS;
}

/** The longest timer key: "w/", a 64-byte table name, "/" and 16 digits. */
#define SLUICE_WINDOW_TIMER_KEY_MAX (2 + 64 + 1 + SLUICE_WINDOW_START_DIGITS)

/** "w/<table>/START" into out (SLUICE_WINDOW_TIMER_KEY_MAX bytes); returns its length, 0 for a table name over 64 bytes. */
static inline size_t sluice_window_timer_key(uint8_t *out, const sluice_windows *w, int64_t start) {
    size_t table_len = strlen(w->table);
    if (table_len > 64) return 0;
    out[0] = 'w';
    out[1] = '/';
    memcpy(out + 2, w->table, table_len);
    out[2 + table_len] = '/';
    sluice_window_write_start(out + 3 + table_len, start);
    return 3 + table_len + SLUICE_WINDOW_START_DIGITS;
}

/** The window start a due timer names when it is one of `w`'s close timers, else -1. */
static inline int64_t sluice_window_timer_start(const sluice_windows *w, const sluice_timer *timer) {
    size_t table_len = strlen(w->table);
    if (timer->key_len != 3 + table_len + SLUICE_WINDOW_START_DIGITS) return -1;
    const uint8_t *key = timer->key;
    if (key[0] != 'w' || key[1] != '/' || memcmp(key + 2, w->table, table_len) != 0 || key[2 + table_len] != '/') return -1;
    return sluice_window_read_start(key + 3 + table_len);
}

/* ---- reading and updating ---- */

/** What sluice_window_update's sink hands to the updater. */
typedef struct sluice_window_update_call {
    sluice_window_updater update;
    void *context;
    const uint8_t *updated;
    size_t updated_len;
    int store;
} sluice_window_update_call;

static inline void sluice_window_update_sink(void *context, const uint8_t *value, size_t value_len) {
    sluice_window_update_call *call = (sluice_window_update_call *)context;
    call->store = call->update(call->context, value != NULL ? value : (const uint8_t *)"", value_len,
                               &call->updated, &call->updated_len) == 0;
}

static inline int sluice_window_count_visitor(void *context, const uint8_t *key, size_t key_len,
                                              const uint8_t *value, size_t value_len) {
    (void)context; (void)key; (void)key_len; (void)value; (void)value_len;
    return 1; /* one entry is enough to know the window is open */
}

/**
 * Schedules the window's close timers on both clocks at end + grace.
 * Returns SLUICE_STATUS_OK or SLUICE_STATE_ERROR.
 */
static inline int sluice_window_schedule_close(const sluice_host_api *api, sluice_host *host, uint64_t batch_id,
                                               const sluice_windows *w, int64_t start) {
    uint8_t timer_key[SLUICE_WINDOW_TIMER_KEY_MAX];
    size_t timer_key_len = sluice_window_timer_key(timer_key, w, start);
    if (timer_key_len == 0) return SLUICE_STATE_ERROR;
    int64_t due = start + w->size_ms + w->grace_ms;
    if (api->timer_schedule(host, batch_id, SLUICE_CLOCK_STREAM, due, timer_key, timer_key_len) != SLUICE_STATUS_OK
        || api->timer_schedule(host, batch_id, SLUICE_CLOCK_WALL, due, timer_key, timer_key_len) != SLUICE_STATUS_OK) {
        return SLUICE_STATE_ERROR;
    }
    return SLUICE_STATUS_OK;
}

/**
 * Updates the value of `key` in the window starting at `start` (one of
 * sluice_windows_assign's starts): reads it, calls `update` with it (NULL
 * when absent) and stores what update returns. The first time a (key,
 * window) is touched it writes the index entry, and the first time the
 * window is touched it schedules the close timers.
 *
 * Returns SLUICE_STATUS_OK, SLUICE_WINDOW_LATE (the stream clock closed the
 * window: nothing written), or SLUICE_STATE_ERROR (a host call failed or the
 * key is over SLUICE_WINDOW_MAX_KEY).
 */
static inline int sluice_window_update(const sluice_host_api *api, sluice_host *host, uint64_t batch_id,
                                       const sluice_windows *w, int64_t start,
                                       const uint8_t *key, size_t key_len,
                                       sluice_window_updater update, void *context) {
    if (sluice_window_closed_at(w, start, api->stream_time(host, batch_id))) return SLUICE_WINDOW_LATE;
    uint8_t entry[SLUICE_STATE_MAX_KEY];
    size_t entry_len = sluice_window_entry_key(entry, key, key_len, start);
    if (entry_len == 0) return SLUICE_STATE_ERROR;
    size_t table_len = strlen(w->table);

    sluice_window_update_call call = {update, context, NULL, 0, 0};
    int found = api->state_get(host, batch_id, w->table, table_len, entry, entry_len, sluice_window_update_sink, &call);
    if (found == SLUICE_STATE_ERROR) return SLUICE_STATE_ERROR;
    if (found == SLUICE_STATE_ABSENT) {
        call.store = update(context, NULL, 0, &call.updated, &call.updated_len) == 0;
        if (!call.store) return SLUICE_STATUS_OK;
        uint8_t index[SLUICE_STATE_MAX_KEY];
        size_t index_len = sluice_window_index_key(index, key, key_len, start);
        /* The window is new when no key has an index entry under its prefix yet. */
        uint8_t prefix_end[SLUICE_WINDOW_START_DIGITS + 2];
        memcpy(prefix_end, index, sizeof prefix_end);
        prefix_end[sizeof prefix_end - 1] = '/' + 1;
        int64_t open = api->state_range(host, batch_id, w->table, table_len, index, SLUICE_WINDOW_START_DIGITS + 2,
                                        prefix_end, sizeof prefix_end, 1, sluice_window_count_visitor, NULL);
        if (open < 0) return SLUICE_STATE_ERROR;
        if (open == 0 && sluice_window_schedule_close(api, host, batch_id, w, start) != SLUICE_STATUS_OK) {
            return SLUICE_STATE_ERROR;
        }
        if (api->state_put(host, batch_id, w->table, table_len, index, index_len, (const uint8_t *)"", 0)
            != SLUICE_STATUS_OK) {
            return SLUICE_STATE_ERROR;
        }
    }
    if (!call.store) return SLUICE_STATUS_OK;
    /* A NULL value would delete: an empty one is stored as an empty value. */
    const uint8_t *value = call.updated != NULL ? call.updated : (const uint8_t *)"";
    return api->state_put(host, batch_id, w->table, table_len, entry, entry_len, value, call.updated_len)
        == SLUICE_STATUS_OK ? SLUICE_STATUS_OK : SLUICE_STATE_ERROR;
}

/**
 * Reads the value of `key` in the window starting at `start`: calls
 * sink(context, value, len) once and returns SLUICE_STATE_FOUND, or returns
 * SLUICE_STATE_ABSENT or SLUICE_STATE_ERROR (as state_get).
 */
static inline int sluice_window_get(const sluice_host_api *api, sluice_host *host, uint64_t batch_id,
                                    const sluice_windows *w, int64_t start, const uint8_t *key, size_t key_len,
                                    sluice_value_sink sink, void *context) {
    uint8_t entry[SLUICE_STATE_MAX_KEY];
    size_t entry_len = sluice_window_entry_key(entry, key, key_len, start);
    if (entry_len == 0) return SLUICE_STATE_ERROR;
    return api->state_get(host, batch_id, w->table, strlen(w->table), entry, entry_len, sink, context);
}

/* ---- closing ---- */

/** The first index entry of a window, copied out of a state_range visit. */
typedef struct sluice_window_first_key {
    uint8_t key[SLUICE_STATE_MAX_KEY];
    size_t key_len;
} sluice_window_first_key;

static inline int sluice_window_first_key_visitor(void *context, const uint8_t *key, size_t key_len,
                                                  const uint8_t *value, size_t value_len) {
    (void)value; (void)value_len;
    sluice_window_first_key *first = (sluice_window_first_key *)context;
    first->key_len = key_len <= sizeof first->key ? key_len : sizeof first->key;
    memcpy(first->key, key, first->key_len);
    return 1;
}

/** A value copied out of state_get: into `small`, or onto the heap when larger. */
typedef struct sluice_window_value {
    uint8_t small[256];
    uint8_t *bytes;
    size_t len;
    int failed;
} sluice_window_value;

static inline void sluice_window_value_sink(void *context, const uint8_t *value, size_t value_len) {
    sluice_window_value *copy = (sluice_window_value *)context;
    copy->bytes = value_len <= sizeof copy->small ? copy->small : (uint8_t *)malloc(value_len);
    if (copy->bytes == NULL) { copy->failed = 1; return; }
    if (value_len > 0) memcpy(copy->bytes, value, value_len);
    copy->len = value_len;
}

/**
 * Closes the window starting at `start`: cancels its close timers on both
 * clocks, then for each key of the window (ascending byte order) reads its
 * value, calls emit, and deletes its value and index entries.
 * Returns the number of keys emitted, or SLUICE_STATE_ERROR (a host call or
 * emit failed; the batch's writes are then dropped if it is not finished DONE).
 */
static inline int64_t sluice_window_close(const sluice_host_api *api, sluice_host *host, uint64_t batch_id,
                                          const sluice_windows *w, int64_t start,
                                          sluice_window_emitter emit, void *context) {
    size_t table_len = strlen(w->table);
    uint8_t timer_key[SLUICE_WINDOW_TIMER_KEY_MAX];
    size_t timer_key_len = sluice_window_timer_key(timer_key, w, start);
    if (timer_key_len == 0) return SLUICE_STATE_ERROR;
    /* The timer that fired is gone already; cancelling a missing timer is fine. */
    if (api->timer_cancel(host, batch_id, SLUICE_CLOCK_WALL, timer_key, timer_key_len) != SLUICE_STATUS_OK
        || api->timer_cancel(host, batch_id, SLUICE_CLOCK_STREAM, timer_key, timer_key_len) != SLUICE_STATUS_OK) {
        return SLUICE_STATE_ERROR;
    }
    uint8_t prefix[SLUICE_WINDOW_START_DIGITS + 2];
    uint8_t prefix_end[SLUICE_WINDOW_START_DIGITS + 2];
    prefix[0] = 0x01;
    sluice_window_write_start(prefix + 1, start);
    prefix[sizeof prefix - 1] = '/';
    memcpy(prefix_end, prefix, sizeof prefix);
    prefix_end[sizeof prefix_end - 1] = '/' + 1;

    int64_t emitted = 0;
    sluice_window_first_key first;
    uint8_t entry[SLUICE_STATE_MAX_KEY];
    for (;;) {
        /* One entry at a time: the visitor may not call the host, and each
         * round's deletes are visible to the next range. */
        first.key_len = 0;
        int64_t visited = api->state_range(host, batch_id, w->table, table_len, prefix, sizeof prefix,
                                           prefix_end, sizeof prefix_end, 1, sluice_window_first_key_visitor, &first);
        if (visited < 0) return SLUICE_STATE_ERROR;
        if (visited == 0) break;
        if (first.key_len < sizeof prefix) return SLUICE_STATE_ERROR;
        const uint8_t *key = first.key + sizeof prefix;
        size_t key_len = first.key_len - sizeof prefix;
        size_t entry_len = sluice_window_entry_key(entry, key, key_len, start);
        if (entry_len == 0) return SLUICE_STATE_ERROR;

        sluice_window_value value;
        value.bytes = NULL;
        value.len = 0;
        value.failed = 0;
        int found = api->state_get(host, batch_id, w->table, table_len, entry, entry_len, sluice_window_value_sink, &value);
        int failed = found == SLUICE_STATE_ERROR || value.failed;
        if (!failed && found == SLUICE_STATE_FOUND) {
            failed = emit(context, key, key_len, start, start + w->size_ms, value.bytes, value.len) != 0;
            if (!failed) emitted++;
        }
        if (value.bytes != NULL && value.bytes != value.small) free(value.bytes);
        if (failed) return SLUICE_STATE_ERROR;
        if (api->state_put(host, batch_id, w->table, table_len, entry, entry_len, NULL, 0) != SLUICE_STATUS_OK
            || api->state_put(host, batch_id, w->table, table_len, first.key, first.key_len, NULL, 0) != SLUICE_STATUS_OK) {
            return SLUICE_STATE_ERROR;
        }
    }
    return emitted;
}

/**
 * For on_timer: closes every window of `w` whose close timer is in `timers`
 * (timers of other uses are left alone). Returns SLUICE_BATCH_DONE, or
 * SLUICE_BATCH_FATAL when a close failed.
 */
static inline int sluice_windows_on_timer(const sluice_host_api *api, sluice_host *host,
                                          const sluice_timer_batch *timers, const sluice_windows *w,
                                          sluice_window_emitter emit, void *context) {
    for (size_t i = 0; i < timers->count; i++) {
        int64_t start = sluice_window_timer_start(w, &timers->timers[i]);
        if (start < 0) continue;
        if (sluice_window_close(api, host, timers->id, w, start, emit, context) < 0) return SLUICE_BATCH_FATAL;
    }
    return SLUICE_BATCH_DONE;
}

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_WINDOWS_H */
