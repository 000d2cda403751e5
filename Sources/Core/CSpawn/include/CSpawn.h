#include <spawn.h>

/// Closes every descriptor from `lowest` up in the spawned child (glibc 2.34+),
/// which Swift's Glibc module does not import.
int cspawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// A pipe whose ends close on exec (pipe2 with O_CLOEXEC, a GNU extension).
int cspawn_pipe(int descriptors[2]);
