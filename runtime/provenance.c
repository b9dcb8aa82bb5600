/* provenance.c - the stamp, and the input hash computed beside the run; see provenance.h. */
#include "provenance.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "summary.h"
#include "version.h"

/* Small enough to stay in the core's cache between the copy in and the hash: a 1 MiB buffer
 * made the copy (pread) cost almost as much as the hashing. */
#define PROVENANCE_CHUNK (128u << 10)

/* SHA-256 of a whole file, for the policy (small); false when it cannot be read. */
static bool provenance_hash_path(const char *path, char hex[SHA256_HEX])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct sha256 s;
    sha256_init(&s);
    unsigned char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            sha256_update(&s, buf, (size_t)n);
    close(fd);
    if (n < 0)
        return false;
    unsigned char d[SHA256_DIGEST];
    sha256_final(&s, d);
    sha256_hex(d, hex);
    return true;
}

/* The hashing thread: reads with pread from pv->offset, so a shared descriptor's position is not moved. */
static void *provenance_hash_thread(void *arg)
{
    struct provenance *pv = arg;
    unsigned char *buf = malloc(PROVENANCE_CHUNK);
    if (!buf) {
        snprintf(pv->input_note, sizeof pv->input_note, "not computed: out of memory");
        return NULL;
    }
    struct sha256 s;
    sha256_init(&s);
    int64_t at = pv->offset;
    for (;;) {
        if (atomic_load_explicit(&pv->stop, memory_order_relaxed))
            break;
        ssize_t n = pread(pv->fd, buf, PROVENANCE_CHUNK, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(pv->input_note, sizeof pv->input_note, "not computed: the input could not be read again");
            break;
        }
        if (n == 0) {
            unsigned char d[SHA256_DIGEST];
            sha256_final(&s, d);
            sha256_hex(d, pv->input_sha256);
            break;
        }
        sha256_update(&s, buf, (size_t)n);
        at += n;
    }
    free(buf);
    return NULL;
}

void provenance_start(struct provenance *pv, const struct program *p, const char *policy_path, const struct vm *vm,
                      const char *const *sets, int nsets, bool as_of_given, const char *input, bool hash_input)
{
    memset(pv, 0, sizeof *pv);
    pv->p = p;
    pv->vm = vm;
    pv->policy_path = policy_path;
    pv->sets = sets;
    pv->nsets = nsets;
    pv->as_of_given = as_of_given;
    pv->input = input;
    pv->fd = -1;
    atomic_init(&pv->stop, false);
    if (!provenance_hash_path(policy_path, pv->policy_sha256))
        pv->policy_sha256[0] = '\0';
    (void)sha256_accelerated(); /* chosen here, once, before another thread hashes */
    if (!hash_input) {
        snprintf(pv->input_note, sizeof pv->input_note, "not computed: --no-input-hash was given");
        return;
    }

    bool is_stdin = strcmp(input, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(input, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(pv->input_note, sizeof pv->input_note, "%s",
                 is_stdin ? "not computed: read from a pipe (give --input FILE to have it hashed)"
                          : "not computed: the input is not a regular file");
        if (fd >= 0 && !is_stdin)
            close(fd);
        return;
    }
    off_t here = is_stdin ? lseek(fd, 0, SEEK_CUR) : 0;
    pv->offset = here > 0 ? (int64_t)here : 0;
    pv->fd = fd;
    if (pthread_create(&pv->thread, NULL, provenance_hash_thread, pv) != 0) {
        snprintf(pv->input_note, sizeof pv->input_note, "not computed: no thread to compute it");
        if (!is_stdin)
            close(fd);
        pv->fd = -1;
        return;
    }
    pv->hashing = true;
}

void provenance_finish(struct provenance *pv, bool abandon)
{
    if (pv->hashing) {
        if (abandon)
            atomic_store(&pv->stop, true);
        pthread_join(pv->thread, NULL);
        pv->hashing = false;
        if (!pv->input_sha256[0] && !pv->input_note[0])
            snprintf(pv->input_note, sizeof pv->input_note, "not computed: the run stopped");
    }
    if (pv->fd >= 0 && pv->fd != STDIN_FILENO)
        close(pv->fd);
    pv->fd = -1;
}

const char *provenance_input_hash(const struct provenance *pv)
{
    if (pv->hashing)
        return "not computed yet";
    return pv->input_sha256[0] ? pv->input_sha256 : pv->input_note[0] ? pv->input_note : "not computed";
}

/* One member "key": followed by the value the caller writes. */
static void provenance_key(FILE *f, const char *indent, bool first, const char *key)
{
    if (!first)
        putc(',', f);
    if (indent)
        fprintf(f, "\n%s", indent);
    else if (!first)
        putc(' ', f);
    json_string(f, key);
    fputs(": ", f);
}

void provenance_json(FILE *f, const struct provenance *pv, const char *indent, bool hash_placeholder, long *hash_at)
{
    const struct program *p = pv->p;
    long start = ftell(f);
    putc('{', f);
    provenance_key(f, indent, true, "lenity_version");
    json_string(f, LENITY_VERSION);
    provenance_key(f, indent, false, "policy");
    json_string(f, program_str(p, p->name));
    provenance_key(f, indent, false, "policy_version");
    json_string(f, program_str(p, p->version));
    provenance_key(f, indent, false, "policy_file");
    json_string(f, pv->policy_path);
    provenance_key(f, indent, false, "policy_sha256");
    if (pv->policy_sha256[0])
        json_string(f, pv->policy_sha256);
    else
        fputs("null", f);
    const char *by;
    char day[16];
    bool approved = program_approval(p, &by, day);
    provenance_key(f, indent, false, "approved_by");
    if (approved)
        json_string(f, by);
    else
        fputs("null", f);
    provenance_key(f, indent, false, "approved_on");
    if (approved)
        json_string(f, day);
    else
        fputs("null", f);
    provenance_key(f, indent, false, "parameters_set");
    putc('[', f);
    for (int i = 0; i < pv->nsets; i++) {
        fputs(i ? ", " : "", f);
        json_string(f, pv->sets[i]);
    }
    putc(']', f);
    provenance_key(f, indent, false, "input");
    json_string(f, strcmp(pv->input, "-") == 0 ? "standard input" : pv->input);
    provenance_key(f, indent, false, "input_sha256");
    if (hash_placeholder) {
        putc('"', f);
        if (hash_at)
            *hash_at = ftell(f) - start;
        fprintf(f, "%*s\"", PROVENANCE_HASH_WIDTH, "");
    } else if (pv->hashing) {
        /* the thread may be writing it: not to be read before provenance_finish */
        fputs("null", f);
        provenance_key(f, indent, false, "input_sha256_note");
        json_string(f, "on the last line (the output is a stream)");
    } else if (pv->input_sha256[0]) {
        json_string(f, pv->input_sha256);
    } else {
        fputs("null", f);
        provenance_key(f, indent, false, "input_sha256_note");
        json_string(f, provenance_input_hash(pv));
    }
    provenance_key(f, indent, false, "as_of");
    if (pv->vm && pv->vm->as_of_known) {
        char date[16];
        date_format_iso(pv->vm->as_of, date);
        json_string(f, date);
    } else {
        fputs("null", f);
    }
    provenance_key(f, indent, false, "as_of_given");
    fputs(pv->as_of_given ? "true" : "false", f);
    if (indent) {
        size_t n = strlen(indent);
        fprintf(f, "\n%.*s", (int)(n >= 2 ? n - 2 : 0), indent); /* the closing brace one level out */
    }
    putc('}', f);
}

bool provenance_write_stamp(const struct provenance *pv, const char *describes, const char *path, char *err,
                            size_t errsize)
{
    struct out_file o;
    if (!out_file_open(&o, path, err, errsize))
        return false;
    fputs("{\n  \"describes\": ", o.f);
    json_string(o.f, describes);
    fputs(",\n  \"provenance\": ", o.f);
    provenance_json(o.f, pv, "    ", false, NULL);
    fputs("\n}\n", o.f);
    return out_file_commit(&o, err, errsize);
}

bool provenance_write_sidecar(const struct provenance *pv, const char *output, char *err, size_t errsize)
{
    struct stat st;
    if (!output || strcmp(output, "-") == 0 || (stat(output, &st) == 0 && !S_ISREG(st.st_mode)))
        return true;
    size_t len = strlen(output);
    char *path = malloc(len + sizeof ".provenance.json");
    if (!path) {
        snprintf(err, errsize, "%s.provenance.json: out of memory", output);
        return false;
    }
    memcpy(path, output, len);
    memcpy(path + len, ".provenance.json", sizeof ".provenance.json");
    bool ok = provenance_write_stamp(pv, output, path, err, errsize);
    free(path);
    return ok;
}
