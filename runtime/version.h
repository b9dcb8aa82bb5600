/*
 * version.h - the one place Lenity's version is written.  It is a fixed
 * string, not a git hash, so that the same policy and records give the
 * same stamped output on any checkout and golden files stay stable.
 */
#ifndef LENITY_VERSION_H
#define LENITY_VERSION_H

#define LENITY_VERSION "0.3.0"

#endif
