/*
 * The few Linux calls the plugin runner and the host's isolation need that
 * Swift cannot call directly (declared only under _GNU_SOURCE).
 */
#ifndef SLUICE_ISOLATION_H
#define SLUICE_ISOLATION_H

/* memfd_create(name, MFD_CLOEXEC): an anonymous shared memory file; -1 with errno on failure. */
int sluice_isolation_memfd(const char *name);

#include <spawn.h>
#include <stdint.h>

/* posix_spawn_file_actions_addclosefrom_np: the child starts with no descriptor from `lowest` on. */
int sluice_isolation_close_from(posix_spawn_file_actions_t *actions, int lowest);

/*
 * In a plugin runner: on SIGSEGV, SIGBUS, SIGABRT, SIGILL or SIGFPE, store the
 * crashing thread's current batch (see below) into *slot, then die of the
 * same signal. The host reads *slot to know which batch crashed the runner
 * when several run at once.
 */
void sluice_isolation_install_crash_marker(volatile uint64_t *slot);

/* The batch the calling thread is running in the plugin now (0: none). */
void sluice_isolation_set_current_batch(uint64_t wire_id);

#endif
