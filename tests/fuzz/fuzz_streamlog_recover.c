/* Fuzz target: stream log recovery and reading on arbitrary file contents.
 *
 * Byte 0: bit 0 set = before writing the file, walk the frames and give each one that fits a
 * correct CRC (so mutations reach past the CRC: lengths, sequence numbers, identity frames,
 * epochs, torn tails); the rest of the input is the log file. Checks:
 *   - a reader from the start returns only records that are byte for byte in the file with a
 *     correct CRC, with increasing sequence numbers, in file order, and bad ranges that lie
 *     between them; then PINETL_DONE or PINETL_EFORMAT (a break in the log);
 *   - the writer's recovery keeps every record a reader returned when the reader reached the
 *     end (and the same ranges, plus one for whole frames damaged at the end, which it keeps),
 *     cuts only at or after where a reader stopped, and leaves the file at the size it reports
 *     (an identity frame of 72 bytes appended or not);
 *   - after recovery, an append gets a sequence number above every one in the log, and a reader
 *     from the start reads the whole log to PINETL_DONE, the appended record last;
 *   - a reader positioned after a kept sequence number by a wrong hint (0) finds the next
 *     record (or the bad range after it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[256], path[512];

static void cleanup(void) {
    unlink(path);
    rmdir(dir);
}

static void setup(void) {
    if (path[0])
        return;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/pinetl-fuzz-slog-XXXXXX", base && *base ? base : "/tmp");
    FUZZ_ASSERT(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/shardId-000000000000.log", dir);
    atexit(cleanup);
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_crcs(uint8_t *p, size_t len) {
    size_t at = 0;
    while (at + PINETL_STREAMLOG_HEADER_SIZE <= len) {
        uint8_t *h = p + at;
        size_t total = PINETL_STREAMLOG_HEADER_SIZE + (size_t)(h[24] | h[25] << 8) + get32(h + 4);
        if (total > len - at)
            break;
        uint32_t crc = pinetl_crc32c(0, h + 4, 24);
        crc = pinetl_crc32c(crc, h + PINETL_STREAMLOG_HEADER_SIZE,
                            total - PINETL_STREAMLOG_HEADER_SIZE);
        put32(h + 28, crc);
        at += total;
    }
}

static void write_file(const uint8_t *p, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_ASSERT(fd >= 0);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        FUZZ_ASSERT(w > 0);
        done += (size_t)w;
    }
    close(fd);
}

/* Reads the log at path from the start: counts records and ranges; sets *end to where the reader
 * stopped; the record sequence numbers go to seqs (up to cap). Returns the last result. */
static int read_log(const uint8_t *file, size_t len, uint64_t *records, uint64_t *ranges,
                    uint64_t *end, uint64_t *last, uint64_t *seqs, size_t cap) {
    pinetl_streamlog_reader *r = NULL;
    FUZZ_ASSERT(pinetl_streamlog_reader_open(&r, path, 0) == PINETL_OK);
    pinetl_streamlog_record rec;
    uint64_t after = 0;
    int rc;
    *records = *ranges = *last = 0;
    while ((rc = pinetl_streamlog_reader_next(&rec, r)) == PINETL_BATCH ||
           rc == PINETL_STREAMLOG_SKIPPED) {
        if (rc == PINETL_STREAMLOG_SKIPPED) {
            pinetl_streamlog_bad_range b;
            pinetl_streamlog_reader_bad_range(&b, r);
            FUZZ_ASSERT(b.offset >= after && b.length > 0);
            FUZZ_ASSERT(b.first_seq > *last || *records == 0);
            after = b.offset + b.length;
            if (b.last_seq > *last)
                *last = b.last_seq;
            (*ranges)++;
            continue;
        }
        FUZZ_ASSERT(rec.offset >= after);
        FUZZ_ASSERT(*records == 0 || rec.seq > *last);
        size_t total = PINETL_STREAMLOG_HEADER_SIZE + rec.key_len + rec.data_len;
        if (file) {
            FUZZ_ASSERT(rec.offset + total <= len);
            const uint8_t *f = file + rec.offset;
            FUZZ_ASSERT(get32(f) == PINETL_STREAMLOG_MAGIC);
            FUZZ_ASSERT(memcmp(rec.key, f + PINETL_STREAMLOG_HEADER_SIZE, rec.key_len) == 0);
            FUZZ_ASSERT(memcmp(rec.data, f + PINETL_STREAMLOG_HEADER_SIZE + rec.key_len,
                               rec.data_len) == 0);
            uint32_t crc = pinetl_crc32c(0, f + 4, 24);
            crc = pinetl_crc32c(crc, f + PINETL_STREAMLOG_HEADER_SIZE,
                                total - PINETL_STREAMLOG_HEADER_SIZE);
            FUZZ_ASSERT(crc == get32(f + 28));
        }
        if (*records < cap)
            seqs[*records] = rec.seq;
        (*records)++;
        *last = rec.seq;
        after = rec.offset + total;
    }
    FUZZ_ASSERT(rc == PINETL_DONE || rc == PINETL_EFORMAT);
    *end = pinetl_streamlog_reader_offset(r);
    FUZZ_ASSERT(*end >= after);
    pinetl_streamlog_reader_free(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    setup();
    size_t len = size - 1;
    uint8_t *file = malloc(len ? len : 1);
    FUZZ_ASSERT(file != NULL);
    memcpy(file, data + 1, len);
    if (data[0] & 1)
        fix_crcs(file, len);
    write_file(file, len);

    /* The reader's view. */
    uint64_t count = 0, ranges = 0, end = 0, last = 0;
    int rc = read_log(file, len, &count, &ranges, &end, &last, NULL, 0);

    /* The writer's recovery keeps that (all of it when the reader got to the end). */
    pinetl_streamlog *log = NULL;
    FUZZ_ASSERT(pinetl_streamlog_open(&log, path, 0) == PINETL_OK);
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    FUZZ_ASSERT((info.cut_bytes == 0) == (info.cut_reason == NULL));
    FUZZ_ASSERT(info.cut_bytes <= len);
    uint64_t kept = len - info.cut_bytes;
    FUZZ_ASSERT(info.size == kept || info.size == kept + 72);
    if (rc == PINETL_DONE) {
        /* Whole frames damaged at the end stay as one more bad range; anything else after the
         * reader's stop is cut. */
        int kept_tail = info.cut_bytes == 0 && kept > end;
        FUZZ_ASSERT(info.records == count && info.bad_ranges == ranges + (kept_tail ? 1 : 0));
        FUZZ_ASSERT(kept == end || kept_tail);
    } else {
        FUZZ_ASSERT(info.records >= count && kept >= end);
    }
    struct stat st;
    FUZZ_ASSERT(stat(path, &st) == 0 && (uint64_t)st.st_size == info.size);
    uint64_t before = pinetl_streamlog_last_seq(log);
    FUZZ_ASSERT(before >= last);
    pinetl_streamlog_record add = {0};
    add.data = "{\"ind\":1}";
    add.data_len = 9;
    add.key = "k";
    add.key_len = 1;
    uint64_t got = 0;
    FUZZ_ASSERT(pinetl_streamlog_append(&got, log, &add, 1) == PINETL_OK);
    FUZZ_ASSERT(got == before + 1);
    pinetl_streamlog_free(log);

    /* After recovery the whole log reads, the appended record last. */
    uint64_t seqs[64];
    uint64_t count2 = 0, ranges2 = 0, end2 = 0, last2 = 0;
    FUZZ_ASSERT(read_log(NULL, 0, &count2, &ranges2, &end2, &last2, seqs, 64) == PINETL_DONE);
    FUZZ_ASSERT(last2 == got && count2 >= 1);
    FUZZ_ASSERT(stat(path, &st) == 0 && (uint64_t)st.st_size == end2);

    /* Readers positioned after the first, a middle and the last kept record by a wrong hint (0)
     * find what follows. */
    size_t n = count2 < 64 ? (size_t)count2 : 64;
    size_t picks[3] = {0, n / 2, n - 1};
    for (int i = 0; i < 3; i++) {
        pinetl_streamlog_reader *r = NULL;
        FUZZ_ASSERT(pinetl_streamlog_reader_open_at(&r, path, seqs[picks[i]], 0) == PINETL_OK);
        pinetl_streamlog_record rec;
        int next = pinetl_streamlog_reader_next(&rec, r);
        if (picks[i] + 1 < n && next == PINETL_BATCH)
            FUZZ_ASSERT(rec.seq == seqs[picks[i] + 1]);
        else if (picks[i] + 1 < n)
            FUZZ_ASSERT(next == PINETL_STREAMLOG_SKIPPED);
        else if (picks[i] + 1 == count2)
            FUZZ_ASSERT(next == PINETL_DONE);
        pinetl_streamlog_reader_free(r);
    }
    free(file);
    return 0;
}
