/*
 * The few Linux calls the plugin runner and the host's isolation need that
 * Swift cannot call directly (declared only under _GNU_SOURCE).
 */
#ifndef SLUICE_ISOLATION_H
#define SLUICE_ISOLATION_H

/* memfd_create(name, MFD_CLOEXEC): an anonymous shared memory file; -1 with errno on failure. */
int sluice_isolation_memfd(const char *name);

#include <spawn.h>

/* posix_spawn_file_actions_addclosefrom_np: the child starts with no descriptor from `lowest` on. */
int sluice_isolation_close_from(posix_spawn_file_actions_t *actions, int lowest);

#endif
