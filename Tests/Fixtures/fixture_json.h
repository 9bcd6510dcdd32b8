/*
 * fixture_json.h — the test fixtures' reading of their compact JSON config
 * (the host hands it over as written in the sidecar's `config:`). Enough for
 * flat string and integer values; not a JSON parser.
 */
#ifndef SLUICE_FIXTURE_JSON_H
#define SLUICE_FIXTURE_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds "key":"value" in compact JSON; copies value into out (cut at cap - 1). Returns 1 if found. */
static int json_string(const char *json, size_t len, const char *key, char *out, size_t cap) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *end = json + len;
    const char *at = strstr(json, pattern);
    if (!at || at >= end) return 0;
    at += strlen(pattern);
    size_t n = 0;
    while (at < end && *at != '"' && n + 1 < cap) out[n++] = *at++;
    out[n] = 0;
    return 1;
}

/* The integer value of "key" in the compact JSON `json`, or `fallback`. */
static long long json_number(const char *json, size_t len, const char *key, long long fallback) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (!at || at >= json + len) return fallback;
    return atoll(at + strlen(pattern));
}

#endif
