/*
 * fixture_values.h — the test fixtures' reading of the record values that
 * steer them. A message value is not NUL-terminated: everything here reads
 * within its length.
 */
#ifndef SLUICE_FIXTURE_VALUES_H
#define SLUICE_FIXTURE_VALUES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * N of a value "retry:N..." (the digits after the prefix, within the value),
 * or -1 when the value does not start with "retry:". Not atoi on the value:
 * whatever follows the value in memory could continue its digits.
 */
static long fixture_retry_count(const uint8_t *value, size_t length) {
    static const char prefix[] = "retry:";
    const size_t prefix_length = sizeof prefix - 1;
    if (!value || length < prefix_length || memcmp(value, prefix, prefix_length) != 0) return -1;
    long count = 0;
    for (size_t at = prefix_length; at < length && value[at] >= '0' && value[at] <= '9' && count < 1000000; at++) {
        count = count * 10 + (value[at] - '0');
    }
    return count;
}

#endif
