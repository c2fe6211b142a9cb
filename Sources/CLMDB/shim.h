// LMDB from Debian's liblmdb-dev (/usr/include/lmdb.h). lmdb.h is the manual.
#include <lmdb.h>
