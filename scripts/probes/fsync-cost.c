// What a commit's flushes cost on this disk, as LMDB makes them: the data
// pages written and fdatasync'ed, then the meta page written through an
// O_DSYNC descriptor (A), or written without a flush (B), against the data
// pages alone (C) and the O_DSYNC meta write alone (D). 2000 rounds each,
// on a 64 MiB file in the directory given (default: the current one).
//
//   cc -O2 scripts/probes/fsync-cost.c -o /tmp/fsync-cost && /tmp/fsync-cost /var/lib/ledger
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    char path[4096];
    snprintf(path, sizeof path, "%s/fsync-cost.probe", argc > 1 ? argv[1] : ".");
    static char page[4096 * 8];
    memset(page, 1, sizeof page);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int dsync = open(path, O_RDWR | O_DSYNC);
    if (fd < 0 || dsync < 0 || ftruncate(fd, 1 << 26) != 0) { perror(path); return 1; }
    const int rounds = 2000;
    const char *names[] = {
        "A data + fdatasync + O_DSYNC meta", "B data + fdatasync + meta unsynced",
        "C data + fdatasync", "D O_DSYNC meta alone",
    };
    for (int kind = 0; kind < 4; kind++) {
        double start = now();
        for (int i = 0; i < rounds; i++) {
            off_t at = (off_t)(i % 1000) * sizeof page + 8192;
            if (kind != 3 && (pwrite(fd, page, 4096 * 4, at) < 0 || fdatasync(fd) != 0)) { perror("data"); return 1; }
            if (kind == 0 || kind == 3) { if (pwrite(dsync, page, 4096, (i & 1) * 4096) < 0) { perror("meta"); return 1; } }
            if (kind == 1) { if (pwrite(fd, page, 4096, (i & 1) * 4096) < 0) { perror("meta"); return 1; } }
        }
        printf("%-36s %7.1f us a round\n", names[kind], (now() - start) / rounds * 1e6);
    }
    unlink(path);
    return 0;
}
