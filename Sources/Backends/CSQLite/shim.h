#include <sqlite3.h>

// Extended result codes are macros built from other macros, which Swift does not import.
static const int CSQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT_UNIQUE;
static const int CSQLITE_CONSTRAINT_PRIMARYKEY = SQLITE_CONSTRAINT_PRIMARYKEY;
static const int CSQLITE_CONSTRAINT_FOREIGNKEY = SQLITE_CONSTRAINT_FOREIGNKEY;

// sqlite3_config is variadic, which Swift does not import. Without a bulk
// allocation per page cache, each temporary b-tree (an IN list, RETURNING, a
// sort) takes the pages it needs from malloc one at a time, instead of a
// block of 20 pages that, freed at the end of every statement, malloc hands
// back to the kernel and faults in again. Call before SQLite is initialised.
static inline int csqlite_no_bulk_page_cache(void) {
    return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}
