#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include "sluice_isolation.h"

int sluice_isolation_memfd(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}


int sluice_isolation_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

static volatile uint64_t *crash_slot;
static _Thread_local uint64_t current_batch;

/* Async-signal-safe: one thread-local read, one store, then the default action. */
static void mark_and_die(int signal_number) {
    if (crash_slot && current_batch) *crash_slot = current_batch;
    raise(signal_number); /* SA_RESETHAND restored the default action */
}

void sluice_isolation_install_crash_marker(volatile uint64_t *slot) {
    crash_slot = slot;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = mark_and_die;
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE };
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &action, NULL);
}

void sluice_isolation_set_current_batch(uint64_t wire_id) {
    current_batch = wire_id;
}
