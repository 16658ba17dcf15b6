/* The warm protocol: between the hako command (client.c) and a warm hako runtime
 * (hako.warm.WarmServer). docs/warm.md describes it; hako.warm.WarmProtocol mirrors these numbers.
 * Every message is one SOCK_SEQPACKET datagram, in the machine's byte order. */
#ifndef HAKO_WARM_H
#define HAKO_WARM_H
#include <stdint.h>

#define WARM_MAGIC 0x314b5748u /* "HWK1" */
#define WARM_MAX_FDS 16
#define WARM_MAX_MESSAGE 65536

/* client -> runtime, once: then argc + envc NUL-terminated strings and the working directory;
 * descriptors 0, 1, 2 attached, those of them set in open_fds. */
struct warm_call {
	uint32_t magic, umask, argc, envc, open_fds;
};

/* runtime -> client: a request; each but ACCEPT and EXIT is answered with one int32. */
struct warm_request {
	uint32_t type;
	int32_t arg;
};

enum {
	WARM_ACCEPT = 1,  /* the call is taken: from here on, no fallback to the one-shot path */
	WARM_SPAWN = 2,   /* struct warm_spawn follows; answer: the child's pid, or -errno */
	WARM_WAIT = 3,    /* arg: a child's pid; answer: its wait status, or -errno */
	WARM_SIGNALS = 4, /* arg: the pid signals are passed on to; 0: no more */
	WARM_WINCH = 5,   /* a terminal's master attached: it gets this terminal's window size */
	WARM_EXIT = 6,    /* arg: the call's exit code; the client exits with it */
};

#define WARM_EXEC_FD 1 /* execute the first attached descriptor (a sealed memfd), not argv[0] */

/* Followed by nfds int32 target numbers (where attached descriptor i goes; -1: nowhere, for the
 * executable), nnull int32 descriptors to open /dev/null on, then argc + envc strings. */
struct warm_spawn {
	uint32_t flags, argc, envc, nfds, nnull;
};
#endif
