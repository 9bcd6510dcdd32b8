#ifndef SLUICE_JSON_SCAN_H
#define SLUICE_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__SSE2__)
/// The bits of the bytes of the 16 at `block` that are a quote, a backslash
/// or a control character (below 0x20).
static inline unsigned sluice_json_special_bits(const uint8_t *block) {
    const __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)block);
    // An unsigned byte is at most 0x1F exactly when min(byte, 0x1F) is the byte.
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes);
    const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                                      _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))), control);
    return (unsigned)_mm_movemask_epi8(special);
}
#endif

#if defined(__SSE2__)
/// The bits of the bytes of the 16 at `block` that a JSON writer escapes:
/// those of ``sluice_json_special_bits``, DEL (0x7F), and 0xE2, the lead byte
/// of U+2028 and U+2029 (line breaks to JavaScript) among other characters.
static inline unsigned sluice_json_escape_bits(const uint8_t *block) {
    const __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)block);
    const __m128i other = _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x7F)),
                                       _mm_cmpeq_epi8(bytes, _mm_set1_epi8((char)0xE2)));
    return sluice_json_special_bits(block) | (unsigned)_mm_movemask_epi8(other);
}
#endif

/// Whether `byte` ends a run of plain text: a quote, a backslash or a
/// control character; with `escapes`, also DEL and 0xE2 (what a JSON writer
/// looks at more closely).
static inline int sluice_json_is_flagged(uint8_t byte, int escapes) {
    return byte < 0x20 || byte == '"' || byte == '\\' || (escapes && (byte == 0x7F || byte == 0xE2));
}

/// The index of the first byte at or after `at` and before `count` that
/// ``sluice_json_is_flagged`` flags; `count` when there is none. Sixteen
/// bytes at a time with SSE2; `escapes` is a constant at every call, so
/// each caller's copy keeps one of the two masks.
static inline size_t sluice_json_first_flagged(const uint8_t *bytes, size_t at, size_t count, int escapes) {
#if defined(__SSE2__)
    while (count - at >= 16) {
        const unsigned found = escapes ? sluice_json_escape_bits(bytes + at) : sluice_json_special_bits(bytes + at);
        if (found != 0) return at + (size_t)__builtin_ctz(found);
        at += 16;
    }
    if (at < count && count >= 16) {
        // The last 16 bytes of the text, those before `at` already seen.
        const size_t start = count - 16;
        const unsigned block = escapes ? sluice_json_escape_bits(bytes + start) : sluice_json_special_bits(bytes + start);
        const unsigned found = block & (0xFFFFu << (at - start));
        return found != 0 ? start + (size_t)__builtin_ctz(found) : count;
    }
#endif
    while (at < count && !sluice_json_is_flagged(bytes[at], escapes)) at++;
    return at;
}

/// Where a JSON string's plain text stops: the index of the first byte at
/// or after `at` and before `count` that is a quote, a backslash or a
/// control character (below 0x20); `count` when there is none.
///
/// In C because Swift's `SIMD16` compares lower to a loop over the lanes
/// here, and Swift has no way to gather the lanes' results into a bit mask;
/// with SSE2 these are six vector instructions per 16 bytes. `static
/// inline`, so the Swift compiler inlines it into the parser.
static inline size_t sluice_json_plain_end(const uint8_t *bytes, size_t at, size_t count) {
    return sluice_json_first_flagged(bytes, at, count, 0);
}

/// Where a run of text a JSON writer copies as it is stops: the index of the
/// first byte at or after `at` and before `count` that is a quote, a
/// backslash, a control character, DEL or 0xE2; `count` when there is none.
static inline size_t sluice_json_unescaped_end(const uint8_t *bytes, size_t at, size_t count) {
    return sluice_json_first_flagged(bytes, at, count, 1);
}

#endif
