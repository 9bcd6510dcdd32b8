/*
 * The toolchain record of a Swift plugin (and of the host).
 *
 * Swift has no stable ABI on Linux, and a Swift plugin runs on the host's
 * Swift runtime, so a plugin built by another Swift release may crash the
 * host. The SDK links this record into every Swift plugin, in an ELF section
 * of its own (SLUICE_TOOLCHAIN_SECTION); the host reads the section from the
 * file before dlopen (no plugin code runs) and refuses a record that differs
 * from its own. C plugins carry no record and are not checked.
 */
#ifndef SLUICE_TOOLCHAIN_H
#define SLUICE_TOOLCHAIN_H

/** The ELF section holding the record. */
#define SLUICE_TOOLCHAIN_SECTION "sluice_toolchain"
/** The record's first bytes, NUL-padded to 16: the layout's version. */
#define SLUICE_TOOLCHAIN_MAGIC "sluice-swift-1"

/** Fixed-size, NUL-terminated texts, so a reader needs no pointers. */
typedef struct sluice_toolchain_record {
    char magic[16];          /**< SLUICE_TOOLCHAIN_MAGIC */
    char swift_release[16];  /**< e.g. "6.3.1" */
    char c_compiler[224];    /**< the C compiler's __VERSION__; a Swift toolchain's clang names its LLVM build */
} sluice_toolchain_record;

/** This image's record. */
extern const sluice_toolchain_record sluice_swift_toolchain;

#endif
