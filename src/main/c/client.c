/* hako: the command. It hands the call — argv, environment, working directory, umask and its
 * standard descriptors — to a warm hako runtime (a JVM that stays up while it is used) over an
 * abstract unix socket, then does on the runtime's behalf what must happen in the caller's own
 * context: it starts the processes the runtime asks for (the stage, hooks' stages, conmon) as its
 * own children, waits for them, passes signals and window sizes on, and exits with the call's
 * code. When no warm runtime answers, it starts one for the next call and runs this one in a JVM
 * of its own (the one-shot path), as hako always did. docs/warm.md describes the protocol.
 *
 * It decides nothing about containers: like the stage, it does what it is told. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "warm.h"

#ifndef HAKO_BUILD
#define HAKO_BUILD "dev"
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

extern char **environ;

static char lib[4096];
static char self[2048]; /* this binary's path */
static int conn = -1;
static volatile sig_atomic_t forward_to;  /* the pid signals go to; 0: none */
static volatile sig_atomic_t winch_master = -1;

/* HAKO_WARM_TRACE=1: one line on stderr saying which path the call took (for tests). */
static void trace(const char *path, const char *name)
{
	const char *setting = getenv("HAKO_WARM_TRACE");
	if (setting && !strcmp(setting, "1"))
		fprintf(stderr, "hako: warm runtime %s: %s\n", name, path);
}

static void die(const char *what)
{
	fprintf(stderr, "hako: %s: %s\n", what, strerror(errno));
	exit(125);
}

/* ---- finding hako's JVM ---------------------------------------------------------------------- */

/* The directory with java, hako.args and the jar: beside this binary in a built tree (target/),
 * PREFIX/lib/hako for an installed one. */
static void find_lib(void)
{
	char dir[2048];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		die("finding hako's own binary");
	self[n] = 0;
	memcpy(dir, self, n + 1);
	*strrchr(dir, '/') = 0;
	snprintf(lib, sizeof lib, "%s/hako.args", dir);
	if (access(lib, R_OK) == 0) {
		snprintf(lib, sizeof lib, "%s", dir);
		return;
	}
	snprintf(lib, sizeof lib, "%s/../lib/hako", dir);
}

/* The image commands have a JVM set-up of their own (bin/hako-aot says why) and run one-shot. */
static const char *args_file(int argc, char **argv, int *warm)
{
	static const char *valued[] = { "root", "image-root", "registries-conf", "log", "log-format",
					"criu", "rootless", NULL };
	*warm = 1;
	for (int i = 1; i < argc; i++) {
		const char *word = argv[i];
		if (word[0] == '-') {
			const char *name = word + (word[1] == '-' ? 2 : 1);
			if (strchr(name, '='))
				continue;
			for (const char **v = valued; *v; v++)
				if (strcmp(name, *v) == 0) {
					i++;
					break;
				}
			continue;
		}
		if (!strcmp(word, "pull") || !strcmp(word, "image") || !strcmp(word, "images") ||
		    !strcmp(word, "rmi") || !strcmp(word, "prune")) {
			*warm = 0;
			return "hako-images.args";
		}
		/* attach follows this terminal's size changes itself (conmon's control fifo) */
		if (!strcmp(word, "aot-training") || !strcmp(word, "warm-serve") || !strcmp(word, "attach"))
			*warm = 0;
		break;
	}
	return "hako.args";
}

static void one_shot(int argc, char **argv, const char *args)
{
	char java[4200], at[4200];
	snprintf(java, sizeof java, "%s/java", lib);
	snprintf(at, sizeof at, "@%s/%s", lib, args);
	char **jargv = calloc(argc + 4, sizeof *jargv);
	if (!jargv)
		die("starting java");
	jargv[0] = java;
	jargv[1] = at;
	jargv[2] = "hako.Main";
	for (int i = 1; i < argc; i++)
		jargv[i + 2] = argv[i];
	execv(java, jargv);
	fprintf(stderr, "hako: starting %s: %s (build hako: mvn package)\n", java, strerror(errno));
	exit(125);
}

/* ---- the warm runtime's name ------------------------------------------------------------------- */

/* One warm runtime per build, installation, user, credentials and namespaces: it does its
 * work in its own context, which must be the caller's. (The abstract socket itself lives in
 * the caller's network namespace: a caller in another one never reaches this runtime.) */
static void socket_name(char *name, size_t size)
{
	static const char *ns[] = { "mnt", "pid", "user", "cgroup", "ipc", "uts", "net", "time", NULL };
	uint64_t hash = 1469598103934665603ULL;
	char key[2048];
	/* The installation too: a hako installed from this build has its own jar to run. */
	int n = snprintf(key, sizeof key, "%.200s:%u:%u:%u:%u", lib, getuid(), geteuid(), getgid(), getegid());
	for (const char **p = ns; *p && n < (int)sizeof key - 24; p++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof path, "/proc/self/ns/%s", *p);
		n += snprintf(key + n, sizeof key - n, ":%llu",
			      stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0ULL);
	}
	/* Ids, groups, capabilities and confinement, as the runtime compares them (WarmServer): a
	 * caller that dropped a capability, or runs under a seccomp filter or an LSM profile, must
	 * not borrow a runtime that has more. */
	static const char *fields[] = { "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:",
					"CapAmb:", "NoNewPrivs:", "Seccomp:", NULL };
	FILE *status = fopen("/proc/self/status", "re");
	if (status) {
		char line[512];
		while (fgets(line, sizeof line, status))
			for (const char **f = fields; *f; f++)
				if (!strncmp(line, *f, strlen(*f)) && n < (int)sizeof key - 1)
					n += snprintf(key + n, sizeof key - n, "%s", line);
		fclose(status);
	}
	if (n > (int)sizeof key - 1)
		n = sizeof key - 1;
	int attr = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
	if (attr >= 0) {
		ssize_t got = read(attr, key + n, sizeof key - 1 - n);
		if (got > 0)
			n += (int)got;
		close(attr);
	}
	for (int i = 0; i < n; i++)
		hash = (hash ^ (unsigned char)key[i]) * 1099511628211ULL;
	snprintf(name, size, "hako-warm/%s/%u/%016llx", HAKO_BUILD, geteuid(), (unsigned long long)hash);
}

static socklen_t address(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	size_t len = strlen(name);
	memcpy(sa->sun_path + 1, name, len); /* sun_path[0] = 0: abstract */
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

/* Starts a warm runtime for the next call, detached from this one: only the process that holds
 * the lock name starts it, so that a burst of first calls starts one. */
static void start_warm(const char *name)
{
	char lock[200];
	struct sockaddr_un sa;
	snprintf(lock, sizeof lock, "%s/starting", name);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	socklen_t len = address(&sa, lock);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0) {
		close(fd);
		return; /* another call is starting it */
	}
	pid_t child = fork();
	if (child == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		/* The lock, held until the runtime listens: on 3, not close-on-exec (dup2 of 3 onto
		 * itself would leave the flag). */
		if (fd == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(fd, 3);
		for (int i = 4; i < 1024; i++)
			close(i);
		if (chdir("/") < 0)
			_exit(1);
		umask(022);
		char java[4200], at[4200];
		snprintf(java, sizeof java, "%s/java", lib);
		snprintf(at, sizeof at, "@%s/hako-warm.args", lib);
		char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C.UTF-8", NULL };
		/* HAKO_WARM_IDLE: seconds without calls before it ends (tests make it short). */
		const char *idle = getenv("HAKO_WARM_IDLE");
		char *jargv[] = { java, at, "hako.Main", "warm-serve", (char *)name, "3",
				  (char *)(idle && *idle ? idle : "30"), NULL };
		execve(java, jargv, env);
		_exit(127);
	}
	close(fd);
	if (child > 0)
		waitpid(child, NULL, 0);
}

/* ---- the conversation ---------------------------------------------------------------------------- */

static int send_with_fds(const void *data, size_t size, const int *fds, int nfds)
{
	struct iovec iov = { (void *)data, size };
	char control[CMSG_SPACE(sizeof(int) * WARM_MAX_FDS)];
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(control, 0, sizeof control);
		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n;
	do
		n = sendmsg(conn, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

/* The runtime went away in the middle of the call: what it did is in the state directory. */
static void lost(void)
{
	fprintf(stderr, "hako: the warm runtime ended during the call\n");
	exit(125);
}

static void reply(int32_t value)
{
	if (send_with_fds(&value, sizeof value, NULL, 0) < 0)
		lost();
}

/* A request and the descriptors that came with it (close-on-exec). 0: the runtime is gone. */
static ssize_t receive(char *buffer, size_t size, int *fds, int *nfds)
{
	struct iovec iov = { buffer, size };
	char control[CMSG_SPACE(sizeof(int) * WARM_MAX_FDS)];
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			      .msg_controllen = sizeof control };
	ssize_t n;
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	*nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * count);
			*nfds += count;
		}
	}
	return n;
}

static void on_signal(int signal)
{
	int saved = errno;
	if (signal == SIGWINCH && winch_master >= 0) {
		struct winsize size;
		if (ioctl(0, TIOCGWINSZ, &size) == 0)
			ioctl(winch_master, TIOCSWINSZ, &size);
	}
	if (forward_to > 0)
		kill(forward_to, signal);
	errno = saved;
}

/* Every signal a process may catch, but CHLD: passed on while a container's process runs in
 * the foreground (runc's signal forwarding). */
static void catch_signals(int on)
{
	static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
					 SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU,
					 SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS, 0 };
	struct sigaction action = { .sa_flags = SA_RESTART };
	action.sa_handler = on ? on_signal : SIG_DFL;
	sigemptyset(&action.sa_mask);
	for (const int *s = forwarded; *s; s++)
		if (*s != SIGPIPE || on)
			sigaction(*s, &action, NULL);
	if (!on) {
		action.sa_handler = SIG_IGN; /* the socket is written with MSG_NOSIGNAL; keep PIPE away */
		sigaction(SIGPIPE, &action, NULL);
	}
}

/* SPAWN: fork, put the descriptors in place, exec (a memfd the runtime sent, or a path). */
static void spawn(const char *payload, size_t size, int *fds, int nfds)
{
	const struct warm_spawn *s = (const void *)payload;
	if (size < sizeof *s || nfds != (int)s->nfds) {
		reply(-EPROTO);
		return;
	}
	const int32_t *targets = (const int32_t *)(s + 1);
	const int32_t *null_fds = targets + s->nfds;
	const char *strings = (const char *)(null_fds + s->nnull);
	const char *end = payload + size;
	char **argv = calloc(s->argc + 1, sizeof *argv), **envp = calloc(s->envc + 1, sizeof *envp);
	if (!argv || !envp || strings > end) {
		reply(-ENOMEM);
		return;
	}
	for (uint32_t i = 0; i < s->argc + s->envc; i++) {
		size_t len = strnlen(strings, end - strings);
		if (strings + len >= end) {
			reply(-EPROTO);
			return;
		}
		if (i < s->argc)
			argv[i] = (char *)strings;
		else
			envp[i - s->argc] = (char *)strings;
		strings += len + 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* Out of the way of every target first, then into place: no source is overwritten. */
		int moved[WARM_MAX_FDS];
		for (int i = 0; i < nfds; i++)
			moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 256);
		for (uint32_t i = 0; i < s->nfds; i++)
			if (targets[i] >= 0 && dup2(moved[i], targets[i]) < 0)
				_exit(127);
		for (uint32_t i = 0; i < s->nnull; i++) {
			int null = open("/dev/null", O_RDWR);
			if (null < 0 || (null != null_fds[i] && dup2(null, null_fds[i]) < 0))
				_exit(127);
			if (null != null_fds[i])
				close(null);
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (s->flags & WARM_EXEC_FD) {
			/* The executable is the first descriptor: a sealed memfd, never a file on disk.
			 * (The stage closes what it does not keep itself.) */
			syscall(SYS_execveat, moved[0], "", argv, envp, AT_EMPTY_PATH);
		} else {
			/* Nothing of the caller's but what was placed (a monitor must not hold its pipes). */
			syscall(SYS_close_range, 3, ~0U, 0);
			execve(argv[0], argv, envp);
		}
		_exit(127);
	}
	int error = errno;
	free(argv);
	free(envp);
	reply(pid > 0 ? pid : -error);
}

static void wait_for(pid_t pid)
{
	int status;
	pid_t got;
	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	reply(got < 0 ? -errno : status);
}

int main(int argc, char **argv)
{
	/* Which of descriptors 0 to 31 the caller gave us: noted before this process opens anything. */
	uint32_t open_mask = 0;
	for (int fd = 0; fd < 32; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			open_mask |= 1u << fd;
	find_lib();
	/* The path conmon, watching a detached container, runs hako by (hako launch -d). */
	setenv("HAKO_LAUNCHER", self, 0);
	int warm;
	const char *args = args_file(argc, argv, &warm);
	const char *setting = getenv("HAKO_WARM");
	if (setting && !strcmp(setting, "0"))
		warm = 0;
	if (!warm)
		one_shot(argc, argv, args);

	char name[160];
	socket_name(name, sizeof name);
	/* HAKO_WARM_NAME: another runtime's name, for tests (it refuses a caller not of its context). */
	const char *other = getenv("HAKO_WARM_NAME");
	if (other && *other)
		snprintf(name, sizeof name, "%s", other);
	struct sockaddr_un sa;
	socklen_t len = address(&sa, name);
	conn = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (conn < 0 || connect(conn, (struct sockaddr *)&sa, len) < 0) {
		if (conn >= 0)
			close(conn);
		trace("none; starting one, this call one-shot", name);
		start_warm(name);
		one_shot(argc, argv, args);
	}

	/* The call: header, argv, environment, working directory; descriptors 0, 1, 2. */
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "/");
	size_t size = sizeof(struct warm_call);
	for (int i = 1; i < argc; i++)
		size += strlen(argv[i]) + 1;
	int envc = 0;
	for (char **e = environ; *e; e++, envc++)
		size += strlen(*e) + 1;
	size += strlen(cwd) + 1;
	char *call = malloc(size);
	if (!call)
		die("preparing the call");
	struct warm_call *header = (struct warm_call *)call;
	mode_t mask = umask(0);
	umask(mask);
	*header = (struct warm_call){ .magic = WARM_MAGIC, .umask = mask, .argc = argc - 1, .envc = envc,
				      .open_fds = open_mask };
	char *p = call + sizeof *header;
	for (int i = 1; i < argc; i++)
		p = stpcpy(p, argv[i]) + 1;
	for (char **e = environ; *e; e++)
		p = stpcpy(p, *e) + 1;
	strcpy(p, cwd);
	int stdio[3], nstdio = 0;
	for (int fd = 0; fd < 3; fd++)
		if (open_mask & (1u << fd))
			stdio[nstdio++] = fd;
	/* A call larger than the socket's buffer: the one-shot path takes it. */
	int buffer = (int)size + 4096;
	setsockopt(conn, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
	if (send_with_fds(call, size, stdio, nstdio) < 0)
		one_shot(argc, argv, args);
	free(call);
	catch_signals(0);

	static char message[WARM_MAX_MESSAGE];
	int fds[WARM_MAX_FDS], nfds;
	int accepted = 0;
	for (;;) {
		ssize_t n = receive(message, sizeof message, fds, &nfds);
		if (n <= 0) {
			if (!accepted) {
				trace("refused; one-shot", name);
				one_shot(argc, argv, args); /* refused or gone before it began: no harm done */
			}
			lost();
		}
		if ((size_t)n < sizeof(struct warm_request)) {
			fprintf(stderr, "hako: a malformed request from the warm runtime\n");
			return 125;
		}
		const struct warm_request *r = (const void *)message;
		const char *payload = message + sizeof *r;
		size_t psize = (size_t)n - sizeof *r;
		switch (r->type) {
		case WARM_ACCEPT:
			trace("served", name);
			accepted = 1;
			break;
		case WARM_SPAWN:
			spawn(payload, psize, fds, nfds);
			break;
		case WARM_WAIT:
			wait_for(r->arg);
			break;
		case WARM_SIGNALS:
			forward_to = r->arg;
			catch_signals(r->arg > 0);
			reply(0);
			break;
		case WARM_WINCH:
			if (winch_master >= 0)
				close(winch_master);
			winch_master = nfds > 0 ? fds[0] : -1;
			if (winch_master >= 0) {
				struct sigaction action = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
				sigemptyset(&action.sa_mask);
				sigaction(SIGWINCH, &action, NULL);
				on_signal(0);
			}
			reply(0);
			break;
		case WARM_EXIT:
			return r->arg;
		default:
			reply(-EPROTO);
		}
		/* The child has its copies; a window's master is kept until the next WINCH. */
		for (int i = r->type == WARM_WINCH ? 1 : 0; i < nfds; i++)
			close(fds[i]);
	}
}
