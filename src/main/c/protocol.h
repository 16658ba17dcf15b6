/* The wire protocol between the runtime and the stage. docs/stage-protocol.md is its one
 * description; this file only mirrors its numbers (a unit test compares them with Java's). */
#ifndef HAKO_PROTOCOL_H
#define HAKO_PROTOCOL_H

#include <stdint.h>

enum op_code {
	OP_CLONE = 1,
	OP_SETNS = 2,
	OP_TIME_OFFSETS = 3,
	OP_MOUNT = 10,
	OP_SET_ROOT = 11,
	OP_MKDIR = 12,
	OP_MKFILE = 13,
	OP_MKNOD = 14,
	OP_SYMLINK = 15,
	OP_MASK = 16,
	OP_CHOWN = 17,
	OP_WAIT_FIFO = 18,
	OP_DUP2 = 19,
	OP_PIVOT_ROOT = 20,
	OP_CHROOT = 21,
	OP_CHDIR = 22,
	OP_SETHOSTNAME = 23,
	OP_SETDOMAINNAME = 24,
	OP_WRITE_FILE = 25,
	OP_SETRLIMIT = 26,
	OP_PRCTL = 27,
	OP_SETGROUPS = 28,
	OP_SETRESGID = 29,
	OP_SETRESUID = 30,
	OP_UMASK = 31,
	OP_SETSID = 32,
	OP_BOUNDING = 33,
	OP_CAPS = 34,
	OP_PTY = 35,
	OP_JOIN_KEYRING = 36,
	OP_SET_SCHEDULER = 37,
	OP_SET_IOPRIO = 38,
	OP_SET_AFFINITY = 39,
	OP_EXEC = 40,
	OP_WHICH = 41,
	OP_MOUNT_SETATTR = 42,
	OP_SET_PERSONALITY = 43,
	OP_SET_MEMPOLICY = 44,
	OP_MOVE_ROOT = 45,
	OP_SECCOMP = 50,
	OP_WRITE_PROC = 55,
	OP_OPEN_TREE = 60,
	OP_MOVE_MOUNT = 61,
	OP_LINK_UP = 62,
	OP_SET_LABEL = 65,
};

enum op_flag {
	FLAG_IGNORE_MISSING = 1,
	FLAG_IGNORE_EXISTING = 2,
	FLAG_NEAREST_MOUNT = 4, /* MOUNT only */
	FLAG_COPY_UP = 8,       /* MOUNT only */
	FLAG_IGNORE_UNSUPPORTED = 16,
};

/* Argument kinds, one letter each, so that an op's signature is a short string. */
enum arg_kind {
	ARG_U64 = 'u',
	ARG_STR = 's',
	ARG_STR_OR_NONE = 'n', /* a str that may have length 0 */
	ARG_STRV = 'v',
	ARG_U32V = 'w',
	ARG_FD = 'f',
	ARG_BYTES = 'b', /* any bytes (a BPF program) */
};

#define FD_NONE UINT64_MAX /* an fd argument that names no descriptor */
#define MAX_BATCH (256 * 1024) /* bytes in one batch datagram */
#define MAX_BATCH_FDS 16 /* descriptors with one batch */

struct reply {
	int32_t failed_op; /* -1 when every op succeeded */
	int32_t error;
	int64_t value;
};

#endif
