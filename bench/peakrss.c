/*
 * peakrss.c - runs one command and reports its wall time and peak resident memory.
 *
 *   peakrss [-o OUT] [-r RESULTS] -- COMMAND [ARG]...
 *
 * COMMAND's standard output goes to OUT when given (created or truncated before the
 * clock starts).  When it ends, one line is appended to RESULTS (standard error by
 * default):
 *
 *   SECONDS MAXRSS_KB STATUS CPU_SECONDS
 *
 * SECONDS is wall time from just before fork() to just after wait4() returns
 * (CLOCK_MONOTONIC); MAXRSS_KB is ru_maxrss of the child as wait4() reports it, which
 * covers the descendants it waited for; STATUS is its exit code, or 128 + the signal
 * that ended it; CPU_SECONDS is its user plus system time, which other processes on a
 * busy machine disturb much less than wall time.  peakrss exits with STATUS too, or 127 when COMMAND cannot be run.
 * Used by bench/run.sh so the bench needs neither /usr/bin/time nor a shell around each
 * timed command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fputs("usage: peakrss [-o OUT] [-r RESULTS] -- COMMAND [ARG]...\n", stderr);
}

int main(int argc, char **argv)
{
    const char *out_path = NULL, *results_path = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            results_path = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    if (i >= argc) {
        usage();
        return 2;
    }
    char **cmd = argv + i;

    int out_fd = -1;
    if (out_path) {
        out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out_fd < 0) {
            fprintf(stderr, "peakrss: %s: %s\n", out_path, strerror(errno));
            return 127;
        }
    }
    FILE *results = stderr;
    if (results_path) {
        results = fopen(results_path, "a");
        if (!results) {
            fprintf(stderr, "peakrss: %s: %s\n", results_path, strerror(errno));
            return 127;
        }
    }

    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
        return 127;
    }
    if (pid == 0) {
        if (out_fd >= 0) {
            if (dup2(out_fd, STDOUT_FILENO) < 0)
                _exit(127);
            close(out_fd);
        }
        execvp(cmd[0], cmd);
        fprintf(stderr, "peakrss: %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
            return 127;
        }
    }
    double elapsed = now() - start;
    if (out_fd >= 0)
        close(out_fd);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127;
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 (double)ru.ru_stime.tv_usec / 1e6;
    fprintf(results, "%.6f %ld %d %.6f\n", elapsed, (long)ru.ru_maxrss, code, cpu);
    if (results != stderr && fclose(results) != 0) {
        fprintf(stderr, "peakrss: %s: %s\n", results_path, strerror(errno));
        return 127;
    }
    return code;
}
