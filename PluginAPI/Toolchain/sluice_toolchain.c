// The record lives in its own section, kept by the compiler (used) and by a
// linker that drops unreferenced sections (retain): the host reads it from
// the file, so nothing in the image refers to it.
#include "sluice_toolchain.h"

#ifndef SLUICE_SWIFT_RELEASE
#error "SLUICE_SWIFT_RELEASE is set by PluginAPI/Package.swift"
#endif

__attribute__((used, retain, section(SLUICE_TOOLCHAIN_SECTION), visibility("default")))
const sluice_toolchain_record sluice_swift_toolchain = {
    SLUICE_TOOLCHAIN_MAGIC,
    SLUICE_SWIFT_RELEASE,
    __VERSION__,
};
