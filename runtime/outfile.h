/*
 * outfile.h - an output destination: a temporary file renamed over `path`
 * when the run commits, standard output ("-"), or a device written in place.
 */
#ifndef LENITY_OUTFILE_H
#define LENITY_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Writes of 128 KiB, as cat makes them.  With 1 MiB writes the kernel asks for
 * page-cache pages in large pieces, and on this kind of machine one copy in
 * five of a 457 MB file then took 4 to 9 times as long (dd, bs=1M against
 * bs=128K, 15 runs each); with 128 KiB none did.
 */
#define OUT_BUFFER (128u << 10)

struct out_file {
    FILE *f;
    char *path;      /* destination; NULL for standard output */
    char *tmp_path;  /* NULL when writing in place */
    char *iobuf;
    bool seekable;   /* bytes already written can be rewritten in place (out_file_patch) */
    long long written_back; /* bytes before this offset were sent on to the disk (out_file_write_back) */
};

/* Opens path ("-": standard output) for writing; the message in err names the file. */
bool out_file_open(struct out_file *o, const char *path, char *err, size_t errsize);
/* Flushes, syncs, renames into place; releases o whether or not it succeeds. */
bool out_file_commit(struct out_file *o, char *err, size_t errsize);
/*
 * Rewrites len bytes at offset `at` (a value ftell gave on o->f) of what was
 * written, for a header whose last value is known only at the end.  Only
 * when o->seekable (our temporary file).  False when the write fails.
 */
bool out_file_patch(struct out_file *o, long at, const char *bytes, size_t len);
/*
 * Starts sending what was written to the disk, once OUT_WRITE_BACK more bytes
 * are waiting, without waiting for it (Linux; elsewhere nothing).  The commit
 * syncs the file in any case; a long copy that lets hundreds of megabytes of
 * unwritten pages pile up first was slower on this kind of machine, and its
 * commit waited longer.  Cheap enough to call every few hundred rows.
 */
#define OUT_WRITE_BACK (8 << 20)
void out_file_write_back(struct out_file *o);
/* Removes the temporary file and releases o. */
void out_file_abort(struct out_file *o);
/* "standard output" for "-" or NULL, else the path. */
const char *out_display(const char *path);
/* What a failed write leaves at path, in words: nothing (a file, written under another name until
 * the end), or an incomplete stream (standard output, a device, a pipe). */
const char *out_lost(const char *path);

#endif
