/* Whether a file a writer holds open is still the file its path names. A landing folder removed
 * (rm -rf) or replaced under a running server leaves the server's descriptors writing into files
 * that no longer exist anywhere: writes and syncs still succeed, and records written there are
 * lost. Every writer checks this after its sync and before anything is acknowledged (the topic
 * landing files and the stream logs share this one check). */
#ifndef PINETL_UTIL_FILE_ID_H
#define PINETL_UTIL_FILE_ID_H

typedef struct pinetl__file_id {
    unsigned long long dev, ino;
} pinetl__file_id;

/* The identity of the file path names now (stat). PINETL_EIO with a message when it cannot be
 * read. */
int pinetl__file_id_of(pinetl__file_id *out, const char *path);

/* The identity of an open descriptor (fstat). */
int pinetl__file_id_of_fd(pinetl__file_id *out, int fd, const char *path);

/* PINETL_OK when path still names the file id; else PINETL_EIO with a message saying that path
 * was removed or replaced while it was open (what was written to it is not kept). */
int pinetl__file_id_check(const pinetl__file_id *id, const char *path);

#endif
