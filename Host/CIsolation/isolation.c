#define _GNU_SOURCE
#include <sys/mman.h>
#include "sluice_isolation.h"

int sluice_isolation_memfd(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}


int sluice_isolation_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}
