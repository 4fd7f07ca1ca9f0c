/* Fuzz target: stream log recovery and reading on arbitrary file contents.
 *
 * Byte 0: bit 0 set = before writing the file, walk the frames and give each one that fits a
 * correct CRC (so mutations reach past the CRC: lengths, sequence numbers, torn tails); the rest
 * of the input is the log file. Checks:
 *   - a reader from the start returns only records that re-encode to the same bytes, with
 *     sequence numbers +1, at contiguous offsets, then PINETL_DONE or PINETL_EFORMAT (a gap);
 *   - the writer's recovery keeps exactly those records: records, size and last sequence number
 *     agree with the reader, size + cut bytes = input size, the file is cut to size;
 *   - after recovery an append gets the next sequence number and a reader returns it;
 *   - a reader positioned after any kept sequence number by a hint of 0 (a wrong hint) finds the
 *     same next record. */
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
    pinetl_streamlog_reader *r = NULL;
    FUZZ_ASSERT(pinetl_streamlog_reader_open(&r, path, 0) == PINETL_OK);
    pinetl_streamlog_record rec;
    uint64_t count = 0, first = 0, last = 0, end = 0;
    int rc;
    while ((rc = pinetl_streamlog_reader_next(&rec, r)) == PINETL_BATCH) {
        FUZZ_ASSERT(rec.offset == end);
        FUZZ_ASSERT(count == 0 || rec.seq == last + 1);
        size_t total = PINETL_STREAMLOG_HEADER_SIZE + rec.key_len + rec.data_len;
        FUZZ_ASSERT(rec.offset + total <= len);
        uint8_t frame[PINETL_STREAMLOG_HEADER_SIZE];
        memcpy(frame, file + rec.offset, sizeof frame);
        FUZZ_ASSERT(get32(frame) == PINETL_STREAMLOG_MAGIC);
        FUZZ_ASSERT(
            memcmp(rec.key, file + rec.offset + PINETL_STREAMLOG_HEADER_SIZE, rec.key_len) == 0);
        FUZZ_ASSERT(memcmp(rec.data, file + rec.offset + PINETL_STREAMLOG_HEADER_SIZE + rec.key_len,
                           rec.data_len) == 0);
        uint32_t crc = pinetl_crc32c(0, frame + 4, 24);
        crc = pinetl_crc32c(crc, file + rec.offset + PINETL_STREAMLOG_HEADER_SIZE,
                            total - PINETL_STREAMLOG_HEADER_SIZE);
        FUZZ_ASSERT(crc == get32(frame + 28));
        if (!count)
            first = rec.seq;
        count++;
        last = rec.seq;
        end = rec.offset + total;
    }
    FUZZ_ASSERT(rc == PINETL_DONE || rc == PINETL_EFORMAT);
    FUZZ_ASSERT(pinetl_streamlog_reader_offset(r) == end);
    pinetl_streamlog_reader_free(r);

    /* The writer's recovery keeps exactly that. */
    pinetl_streamlog *log = NULL;
    FUZZ_ASSERT(pinetl_streamlog_open(&log, path, 0) == PINETL_OK);
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    FUZZ_ASSERT(info.records == count);
    FUZZ_ASSERT(info.first_seq == first);
    FUZZ_ASSERT(info.size == end);
    FUZZ_ASSERT(info.size + info.cut_bytes == len);
    FUZZ_ASSERT((info.cut_bytes == 0) == (info.cut_reason == NULL));
    FUZZ_ASSERT(pinetl_streamlog_last_seq(log) == last);
    struct stat st;
    FUZZ_ASSERT(stat(path, &st) == 0 && (uint64_t)st.st_size == end);
    pinetl_streamlog_record add = {0};
    add.data = "{\"ind\":1}";
    add.data_len = 9;
    add.key = "k";
    add.key_len = 1;
    uint64_t got = 0;
    FUZZ_ASSERT(pinetl_streamlog_append(&got, log, &add, 1) == PINETL_OK);
    FUZZ_ASSERT(got == last + 1);
    pinetl_streamlog_free(log);

    /* Readers positioned before the first, after the first, a middle and the last kept record,
     * by a wrong hint (0), find the next record. */
    uint64_t picks[4] = {first ? first - 1 : 0, first, first + (last - first) / 2, last};
    for (int i = 0; i < 4; i++) {
        uint64_t s = picks[i];
        FUZZ_ASSERT(pinetl_streamlog_reader_open_at(&r, path, s, 0) == PINETL_OK);
        FUZZ_ASSERT(pinetl_streamlog_reader_next(&rec, r) == PINETL_BATCH);
        FUZZ_ASSERT(rec.seq == s + 1);
        pinetl_streamlog_reader_free(r);
    }
    free(file);
    return 0;
}
