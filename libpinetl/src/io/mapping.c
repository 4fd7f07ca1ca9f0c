/* Reference-counted read-only file mappings (mapping.h). The count is atomic: batches that point
 * into a mapping are freed on whichever thread lets go of them last (an Arrow consumer's). */
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapping.h"
#include "util/alloc.h"

#define DONE_LAG ((size_t)2 << 20)

struct io_mapping {
    atomic_long refs;
    char *data;
    size_t size;
};

io_mapping *pinetl__io_mapping_open(int fd, size_t size) {
    if (!size)
        return NULL;
    io_mapping *m = pinetl__malloc(sizeof *m);
    if (!m)
        return NULL;
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        pinetl__free(m);
        return NULL;
    }
    atomic_init(&m->refs, 1);
    m->data = p;
    m->size = size;
    return m;
}

const char *pinetl__io_mapping_data(const io_mapping *m) { return m->data; }
size_t pinetl__io_mapping_size(const io_mapping *m) { return m->size; }

void pinetl__io_mapping_retain(io_mapping *m) {
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

void pinetl__io_mapping_release(void *p) {
    io_mapping *m = p;
    if (!m || atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1)
        return;
    munmap(m->data, m->size);
    pinetl__free(m);
}

void pinetl__io_mapping_done(io_mapping *m, const char *p, size_t len) {
    long page = sysconf(_SC_PAGESIZE);
    if (!m || !len || page <= 0 || p < m->data || p + len > m->data + m->size)
        return;
    /* The kernel maps up to 64 KiB around a page fault (fault-around), so a neighbour's
     * faults map pages of a range dropped before: the 2 MiB before p go again (cheap when
     * nothing is mapped there), or the resident set would grow by that much per job. */
    const char *from = (size_t)(p - m->data) > DONE_LAG ? p - DONE_LAG : m->data;
    len += (size_t)(p - from);
    p = from;
    uintptr_t lo = (uintptr_t)p & ~((uintptr_t)page - 1);
    uintptr_t hi = ((uintptr_t)(p + len) + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)(m->data + m->size) + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    if (hi > end)
        hi = end;
    madvise((void *)lo, hi - lo, MADV_DONTNEED); /* a hint: failure changes nothing */
}

void pinetl__io_mapping_sequential(io_mapping *m) {
    if (m)
        madvise(m->data, m->size, MADV_SEQUENTIAL);
}
