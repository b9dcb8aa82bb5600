/*
 * provenance.h - the stamp on everything a court may see: Lenity's version,
 * the policy's name, version, approval and SHA-256, the parameters set for
 * the run, the input's name and SHA-256, and the run date, so that a list
 * filed with a court can be traced to exactly what produced it.
 *
 * The input is hashed while the run goes on: a regular file by a thread
 * reading it through its own descriptor (the run's reader is not slowed by
 * it), standard input too when it is a regular file (read with pread, which
 * leaves the reader's position alone).  A pipe cannot be read twice, so its
 * bytes are not hashed, and the stamp says so.
 */
#ifndef LENITY_PROVENANCE_H
#define LENITY_PROVENANCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"
#include "sha256.h"
#include "vm.h"

/* The width of the input hash in a header written before it is known, patched at the end. */
#define PROVENANCE_HASH_WIDTH (SHA256_HEX - 1)

struct provenance {
    const struct program *p;
    const struct vm *vm;            /* the run date and the parameters as run */
    const char *policy_path;
    char policy_sha256[SHA256_HEX]; /* of the policy file as given (source or bytecode); "" if unreadable */
    const char *const *sets;        /* the --set options, as given */
    int nsets;
    const char *input;              /* a path, or "-" */
    bool as_of_given;               /* --as-of, rather than today */

    /* the input hash: filled by provenance_finish */
    char input_sha256[SHA256_HEX];  /* "" until known, and when not computed */
    char input_note[96];            /* why there is no hash */
    bool hashing;                   /* a thread is hashing */
    pthread_t thread;
    int fd;
    int64_t offset;                 /* where the records start in fd */
    atomic_bool stop;
};

/*
 * Fills pv and starts hashing the input, unless hash_input is false
 * (--no-input-hash).  Call before the records are opened (standard input
 * is hashed from where it stands now).  Never fails: what cannot be hashed,
 * or was not, is stated in the stamp instead.
 */
void provenance_start(struct provenance *pv, const struct program *p, const char *policy_path, const struct vm *vm,
                      const char *const *sets, int nsets, bool as_of_given, const char *input, bool hash_input);
/* Waits for the input hash.  With `abandon`, stops it early (the run failed; nothing will be stamped). */
void provenance_finish(struct provenance *pv, bool abandon);
/*
 * The input hash as the stamp shows it: 64 hex digits, or a short note
 * ("not computed: ...") when there is none.  At most PROVENANCE_HASH_WIDTH
 * characters, so it fits a placeholder.
 */
const char *provenance_input_hash(const struct provenance *pv);

/*
 * The stamp as a JSON object (no newline after it); indent: the spaces
 * before each member, or NULL to write it on one line.  `hash_placeholder`:
 * write the input hash as PROVENANCE_HASH_WIDTH spaces, and store in
 * *hash_at the offset of its first byte from where the object starts.
 */
void provenance_json(FILE *f, const struct provenance *pv, const char *indent, bool hash_placeholder,
                     long *hash_at);

/*
 * OUTPUT.provenance.json beside an output that cannot carry '#' lines (a
 * copy of the DOJ export, plain CSV): the stamp as JSON, mode 0600, written
 * under a temporary name and renamed into place.  Nothing (and true) when
 * the output is standard output or a device.  Call after provenance_finish.
 */
bool provenance_write_sidecar(const struct provenance *pv, const char *output, char *err, size_t errsize);
/*
 * The same stamp at `path` (lenity run --stamp FILE), saying it describes
 * `describes` (a file's name, or "standard output").
 */
bool provenance_write_stamp(const struct provenance *pv, const char *describes, const char *path, char *err,
                            size_t errsize);

#endif
