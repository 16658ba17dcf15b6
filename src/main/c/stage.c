/* hako-stage: the native part of hako. It runs the operations the runtime sends it, in order,
 * and reports the first that fails; it decides nothing. docs/stage-protocol.md describes it.
 *
 * The stage (the parent) joins namespaces and clone3()s the container's init; init runs batches
 * of operations until an EXEC succeeds. Both are single-threaded, and the child of a raw clone3
 * has libc's idea of its thread id wrong: so calls that libc would broadcast to every thread
 * (set*id, setgroups, setrlimit) are made as raw system calls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "protocol.h"

/* From the kernel's uapi headers, which musl does not carry. */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP 0x200000000ULL

struct open_how { uint64_t flags, mode, resolve; };
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define PROC_SUPER_MAGIC 0x9fa0

#define FSOPEN_CLOEXEC 0x01
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC 0x01
#define MOUNT_ATTR_NOSUID 0x02
#define MOUNT_ATTR_NODEV 0x04
#define MOUNT_ATTR_NOEXEC 0x08
#define OPEN_TREE_CLONE 1
#define PROC_SUPER_MAGIC 0x9fa0

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };
#define CAP_VERSION_3 0x20080522

#define MAX_ARGS 7 /* SET_SCHEDULER's */
#define FD_PATH 32 /* room for "/proc/self/fd/N" */

/* One decoded op. Strings and vectors point into the received datagram. */
struct op {
	uint16_t code, flags;
	const struct op_type *type;
	union arg {
		uint64_t u;
		char *s; /* NULL for none */
		int fd;  /* -1 for none */
		struct {
			char *p;
			size_t n;
		} v; /* strv, u32v, bytes */
	} arg[MAX_ARGS];
};

#define ANYWHERE 2

struct op_type {
	const char *args;              /* the kind of each argument, letters of enum arg_kind */
	int (*run)(const struct op *); /* 0, or the errno of the failure */
	int in_parent;                 /* 1: runs in the parent (before CLONE), 0: in init, ANYWHERE: either */
};

static int sock;                 /* to the runtime; close-on-exec */
static int is_init;              /* this is the child of CLONE */
static pid_t child;              /* what CLONE made */
static int64_t value;            /* an op's result for the reply (WHICH's index) */
static int reply_fd = -1;        /* a descriptor sent with the reply (PTY's master) */
static char root[PATH_MAX];      /* SET_ROOT's directory, "" for none */
static char msg[MAX_BATCH];      /* one batch; static, far too big for the stack */
static int fds[MAX_BATCH_FDS];   /* the descriptors that came with it */
static unsigned nfds;
static uint32_t words[MAX_BATCH / sizeof(uint32_t)]; /* a u32v, aligned: the datagram keeps no alignment */
static char *vectors[MAX_BATCH + 2]; /* EXEC's argv and envp: at most a string per byte */

static int check(long r)
{
	return r < 0 ? errno : 0;
}

/* prctl reads its arguments as unsigned longs through varargs: give it exactly those. */
static int pr(unsigned long option, unsigned long arg2, unsigned long arg3)
{
	return prctl(option, arg2, arg3, 0UL, 0UL);
}

/* Opens a target. Inside a root, openat2 keeps every step of the walk in it, so that neither a
 * symlink nor ".." in the rootfs (which is the image's, not to be trusted) can lead out. The root
 * is opened afresh each time so that a mount made on it since (the rootfs bound onto itself,
 * which pivot_root needs) is walked through, not under. */
static int open_target(const char *path, int flags)
{
	if (!root[0])
		return open(path, flags | O_CLOEXEC);
	int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	do /* EAGAIN: a rename raced with "..", and the kernel could not vouch for the walk */
		fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN);
	int err = errno;
	close(dir);
	errno = err;
	return fd;
}

/* The path through which a call that takes no descriptor (mount) acts on a target: inside a
 * root, the magic link of the target opened there (*fd, to be closed); else the path itself. */
static const char *locate(const char *path, int *fd, char buf[FD_PATH])
{
	*fd = -1;
	if (!root[0])
		return path;
	*fd = open_target(path, O_PATH);
	if (*fd < 0)
		return NULL;
	snprintf(buf, FD_PATH, "/proc/self/fd/%d", *fd);
	return buf;
}

/* Creates the last component of path with make(), in its parent directory opened as a target.
 * The *at() calls do not follow a symlink in the last component, so nothing is made outside. */
static int create(const char *path, const struct op *op,
		  int (*make)(int dir, const char *name, const struct op *op))
{
	char parent[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof parent)
		return ENAMETOOLONG;
	memcpy(parent, path, n + 1);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	const char *dir = ".", *name = parent;
	char *slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		name = slash + 1;
		dir = slash == parent ? "/" : parent;
	}
	int fd = open_target(dir, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return errno;
	int err = check(make(fd, name, op));
	close(fd);
	return err;
}

static int make_dir(int dir, const char *name, const struct op *op)
{
	return mkdirat(dir, name, op->arg[1].u);
}

static int make_file(int dir, const char *name, const struct op *op)
{
	return mknodat(dir, name, S_IFREG | (op->arg[1].u & 07777), 0);
}

static int make_node(int dir, const char *name, const struct op *op)
{
	return mknodat(dir, name, op->arg[1].u, op->arg[2].u);
}

static int make_symlink(int dir, const char *name, const struct op *op)
{
	return symlinkat(op->arg[0].s, dir, name);
}

/* The ops, in the order of the protocol's table. */

static int op_clone(const struct op *op)
{
	/* With CLONE_PARENT the kernel wants exit_signal 0: init inherits the stage's own (SIGCHLD,
	 * as posix_spawn made it) and is reaped by the runtime. */
	struct clone_args args = { .flags = op->arg[0].u | CLONE_PARENT };
	if (op->arg[1].fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = op->arg[1].fd;
	}
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0)
		return errno;
	if (pid == 0)
		is_init = 1;
	else
		child = pid;
	return 0;
}

static int op_setns(const struct op *op)
{
	return check(setns(op->arg[0].fd, op->arg[1].u));
}

static int copy_tree(int from, int to, int depth);

/* Copies one entry of directory from into directory to, as it is: type, mode, owner, times. */
static int copy_entry(int from, int to, const char *name, int depth)
{
	struct stat st;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	int err = 0, src = -1, dst = -1;
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(to, name, 0700) < 0)
			return errno;
		src = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dst = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = src < 0 || dst < 0 ? errno : copy_tree(src, dst, depth + 1);
	} else if (S_ISREG(st.st_mode)) {
		src = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		dst = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		char buf[16384];
		ssize_t n = 0, w = 0;
		while (src >= 0 && dst >= 0 && w >= 0 && (n = read(src, buf, sizeof buf)) > 0)
			for (char *p = buf; n > 0 && (w = write(dst, p, n)) >= 0; p += w, n -= w)
				;
		err = src < 0 || dst < 0 || n < 0 || w < 0 ? errno : 0;
	} else if (S_ISLNK(st.st_mode)) {
		char link[PATH_MAX];
		ssize_t len = readlinkat(from, name, link, sizeof link - 1);
		if (len < 0)
			return errno;
		link[len] = '\0';
		err = check(symlinkat(link, to, name));
	} else {
		err = check(mknodat(to, name, st.st_mode, st.st_rdev));
	}
	if (!err)
		err = check(fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW));
	if (!err && !S_ISLNK(st.st_mode))
		err = check(fchmodat(to, name, st.st_mode & 07777, 0));
	if (!err) /* last: filling a directory changes its times */
		err = check(utimensat(to, name, (struct timespec[]){ st.st_atim, st.st_mtim }, AT_SYMLINK_NOFOLLOW));
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	return err;
}

/* Copies what directory from holds into directory to (tmpcopyup). Both stay open: the walk
 * never leaves them by a path, so a symlink in the image is copied, never followed. */
static int copy_tree(int from, int to, int depth)
{
	if (depth > 64)
		return ELOOP;
	int fd = dup(from);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir)
		return fd >= 0 ? (close(fd), errno) : errno;
	int err = 0;
	struct dirent *entry;
	while (!err && (errno = 0, entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			err = copy_entry(from, to, entry->d_name, depth);
	if (!err && errno)
		err = errno;
	closedir(dir);
	return err;
}

static int mount_at(const struct op *op, const char *path)
{
	char buf[FD_PATH];
	int fd;
	const char *target = locate(path, &fd, buf);
	if (!target)
		return errno;
	int err = check(mount(op->arg[0].s, target, op->arg[2].s, op->arg[3].u, op->arg[4].s));
	if (fd >= 0)
		close(fd);
	return err;
}

/* MOUNT. NEAREST_MOUNT: the mount that holds the target, found as the kernel says it (EINVAL:
 * not a mount point) by walking up. COPY_UP: the directory the new mount covers is held open
 * across the mount, then copied into it. */
static int op_mount(const struct op *op)
{
	if (op->flags & FLAG_NEAREST_MOUNT) {
		char path[PATH_MAX];
		if (strlen(op->arg[1].s) >= sizeof path)
			return ENAMETOOLONG;
		strcpy(path, op->arg[1].s);
		for (;;) {
			int err = mount_at(op, path);
			char *slash = strrchr(path, '/');
			if (err != EINVAL || !slash || (slash == path && !path[1]))
				return err;
			slash[slash == path] = '\0'; /* "/a" goes to "/" */
		}
	}
	if (!(op->flags & FLAG_COPY_UP))
		return mount_at(op, op->arg[1].s);
	int under = open_target(op->arg[1].s, O_RDONLY | O_DIRECTORY);
	if (under < 0)
		return errno;
	int err = mount_at(op, op->arg[1].s), top = -1;
	if (!err)
		top = open_target(op->arg[1].s, O_RDONLY | O_DIRECTORY);
	if (!err)
		err = top < 0 ? errno : copy_tree(under, top, 0);
	if (top >= 0)
		close(top);
	close(under);
	return err;
}

struct mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
#define AT_RECURSIVE 0x8000

static int op_mount_setattr(const struct op *op)
{
	int fd = open_target(op->arg[0].s, O_PATH);
	if (fd < 0)
		return errno;
	struct mount_attr attr = { .attr_set = op->arg[1].u, .attr_clr = op->arg[2].u };
	int err = check(syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr));
	close(fd);
	return err;
}

/* Id-mapped mounts (OPEN_TREE, MOVE_MOUNT). The parent makes each tree while it is still root
 * on the host (the kernel lets only a process with CAP_SYS_ADMIN over the filesystem's own user
 * namespace id-map its mounts); init inherits the descriptors across the clone and attaches each
 * in its own mount namespace. They are close-on-exec: the container's process gets none. */
#define MAX_TREES 64
#define OPEN_TREE_CLONE 1
#define MOUNT_ATTR_IDMAP 0x00100000
#define MOVE_MOUNT_F_EMPTY_PATH 0x04
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
static int trees[MAX_TREES];
static unsigned ntrees;

static int op_open_tree(const struct op *op)
{
	if (ntrees == MAX_TREES)
		return ENOSPC;
	unsigned flags = OPEN_TREE_CLONE | O_CLOEXEC | (op->arg[2].u ? AT_RECURSIVE : 0);
	int fd = syscall(SYS_open_tree, AT_FDCWD, op->arg[0].s, flags);
	if (fd < 0)
		return errno;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = op->arg[1].fd };
	int err = check(syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (op->arg[3].u ? AT_RECURSIVE : 0),
				&attr, sizeof attr));
	if (err) {
		close(fd);
		return err;
	}
	trees[ntrees++] = fd;
	return 0;
}

static int op_move_mount(const struct op *op)
{
	uint64_t i = op->arg[0].u;
	if (i >= ntrees || trees[i] < 0)
		return EBADF;
	int target = open_target(op->arg[1].s, O_PATH);
	if (target < 0)
		return errno;
	int err = check(syscall(SYS_move_mount, trees[i], "", target, "",
				MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
	close(target);
	close(trees[i]);
	trees[i] = -1;
	return err;
}

/* LINK_UP: an interface of init's network namespace brought up from inside it. */
static int op_link_up(const struct op *op)
{
	struct ifreq ifr = { 0 };
	if (strlen(op->arg[0].s) >= sizeof ifr.ifr_name)
		return ENAMETOOLONG;
	strcpy(ifr.ifr_name, op->arg[0].s);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int err = check(ioctl(fd, SIOCGIFFLAGS, &ifr));
	if (!err) {
		ifr.ifr_flags |= IFF_UP;
		err = check(ioctl(fd, SIOCSIFFLAGS, &ifr));
	}
	close(fd);
	return err;
}

static int op_set_root(const struct op *op)
{
	const char *path = op->arg[0].s;
	if (strlen(path) >= sizeof root)
		return ENAMETOOLONG;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC); /* fail here, not at the next op */
	if (fd < 0)
		return errno;
	close(fd);
	strcpy(root, path);
	return 0;
}

static int follow_dangling(char *prefix, mode_t mode, int depth);

/* mkdir -p, one component at a time, each found again as a target: a symlink met on the way is
 * followed inside the root like any other, and a dangling one has its target made (inside the
 * root) first, as images with /var/run -> /run expect. depth bounds chains of links (ELOOP). */
static int mkdir_all(const char *path, mode_t mode, int depth)
{
	char prefix[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof prefix)
		return ENAMETOOLONG;
	if (depth > 40)
		return ELOOP;
	for (size_t i = 1; i <= n; i++) {
		if ((i < n && path[i] != '/') || path[i - 1] == '/')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		int err = create(prefix, &(struct op){ .arg[1].u = mode }, make_dir);
		if (err == EEXIST)
			err = follow_dangling(prefix, mode, depth);
		if (err)
			return err;
	}
	return 0;
}

/* prefix exists: fine if it leads to a directory; if it is a symlink to nothing, make what it
 * points to. The link is read in its parent, opened inside the root. */
static int follow_dangling(char *prefix, mode_t mode, int depth)
{
	int fd = open_target(prefix, O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != ENOENT)
		return errno;
	char *slash = strrchr(prefix, '/');
	if (!slash)
		return EINVAL; /* targets are absolute */
	*slash = '\0';
	int dir = open_target(slash == prefix ? "/" : prefix, O_PATH | O_DIRECTORY);
	if (dir < 0)
		return errno;
	char link[PATH_MAX], next[PATH_MAX];
	ssize_t len = readlinkat(dir, slash + 1, link, sizeof link - 1);
	int err = errno;
	close(dir);
	if (len < 0)
		return err == EINVAL ? ENOENT : err; /* not a link: something vanished under us */
	link[len] = '\0';
	/* An absolute target is absolute inside the root; a relative one is relative to the link. */
	if (snprintf(next, sizeof next, "%s/%s", link[0] == '/' ? "" : prefix, link) >= (int)sizeof next)
		return ENAMETOOLONG;
	*slash = '/';
	return mkdir_all(next, mode, depth + 1);
}

static int op_mkdir(const struct op *op)
{
	return mkdir_all(op->arg[0].s, op->arg[1].u, 0);
}

static int op_mkfile(const struct op *op)
{
	int err = create(op->arg[0].s, op, make_file);
	return err == EEXIST ? 0 : err; /* anything already there will do */
}

static int op_mknod(const struct op *op)
{
	return create(op->arg[0].s, op, make_node);
}

static int op_symlink(const struct op *op)
{
	return create(op->arg[1].s, op, make_symlink);
}

static int openat2_retry(int dir, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = resolve };
	int fd;
	do /* EAGAIN: a rename raced with the walk */
		fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

/* 0 if fd is on procfs, else EXDEV (or fstatfs's errno). */
static int on_procfs(int fd)
{
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0)
		return errno;
	return fs.f_type == PROC_SUPER_MAGIC ? 0 : EXDEV;
}

/* MASK (CVE-2025-31133): the target is opened first — inside the root, or from / with no magic
 * link — and ENOENT means that it is missing and nothing else. /dev/null is opened without
 * following a symlink and must be the null device (char 1:3): a /dev/null that the image, a
 * mount or a racing container swapped for a link to /proc/sys/kernel/core_pattern would
 * otherwise be bound over the masked path, writable. Both are bound by descriptor, through a
 * /proc/self/fd that is procfs's. */
static int op_mask(const struct op *op)
{
	int target = root[0] ? open_target(op->arg[0].s, O_PATH)
			     : openat2_retry(AT_FDCWD, op->arg[0].s, O_PATH, RESOLVE_NO_MAGICLINKS);
	if (target < 0)
		return errno;
	int null = -1, err = 0;
	int fds = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fds < 0)
		err = errno == ENOENT ? EXDEV : errno; /* no procfs at /proc */
	else if (!(err = on_procfs(fds)) && fstat(target, &st) < 0)
		err = errno;
	char to[FD_PATH], from[FD_PATH];
	snprintf(to, sizeof to, "/proc/self/fd/%d", target);
	if (!err && S_ISDIR(st.st_mode)) {
		err = check(mount("tmpfs", to, "tmpfs", MS_RDONLY, NULL));
	} else if (!err) {
		null = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (null < 0 || fstat(null, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
			err = ENODEV;
		snprintf(from, sizeof from, "/proc/self/fd/%d", null);
		if (!err)
			err = check(mount(from, to, NULL, MS_BIND, NULL));
	}
	if (err == ENOENT) /* only a missing target may read as missing */
		err = EIO;
	if (null >= 0)
		close(null);
	if (fds >= 0)
		close(fds);
	close(target);
	return err;
}

/* WRITE_PROC (CVE-2025-52881): a file of /proc written only if it is procfs's own — /proc on
 * procfs, the walk beneath it crossing no mount (a file bound over a sysctl is refused with
 * EXDEV) and following no magic link, and the file opened on procfs. Inside a root, its /proc. */
static int op_write_proc(const struct op *op)
{
	int proc = root[0] ? open_target("/proc", O_PATH | O_DIRECTORY) : open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0)
		return errno;
	int err = on_procfs(proc), fd = -1;
	if (!err) {
		fd = openat2_retry(proc, op->arg[0].s, O_WRONLY | O_NOCTTY,
				   RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS);
		err = fd < 0 ? errno : on_procfs(fd);
	}
	if (!err) { /* one write: a sysctl takes its value in one piece */
		size_t n = strlen(op->arg[1].s);
		ssize_t w = write(fd, op->arg[1].s, n);
		err = w < 0 ? errno : (size_t)w < n ? EIO : 0;
	}
	if (fd >= 0)
		close(fd);
	close(proc);
	return err;
}

static int op_chown(const struct op *op)
{
	/* lchown: a symlink is changed itself, so it is opened, not followed. */
	int fd = open_target(op->arg[0].s, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return errno;
	int err = check(fchownat(fd, "", op->arg[1].u, op->arg[2].u, AT_EMPTY_PATH));
	close(fd);
	return err;
}

static int op_pivot_root(const struct op *op)
{
	/* pivot_root(".", ".") stacks the old root on the new one, so the rootfs needs no directory
	 * for it. Which of the two "." is afterwards is not promised, so we go to the old root by
	 * descriptor; it is made a slave before it is detached, so that the unmount cannot
	 * propagate to the host. */
	int old = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (old < 0)
		return errno;
	int rootfs = open(op->arg[0].s, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	int err = rootfs < 0 ? errno : check(fchdir(rootfs));
	if (!err)
		err = check(syscall(SYS_pivot_root, ".", "."));
	if (!err)
		err = check(fchdir(old));
	if (!err)
		err = check(mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL));
	if (!err)
		err = check(umount2(".", MNT_DETACH));
	if (!err)
		err = check(chdir("/"));
	if (!err)
		root[0] = '\0'; /* the rootfs is / now */
	if (rootfs >= 0)
		close(rootfs);
	close(old);
	return err;
}

static int op_chroot(const struct op *op)
{
	int err = check(chdir(op->arg[0].s));
	if (!err)
		err = check(chroot("."));
	if (!err)
		root[0] = '\0'; /* the rootfs is / now */
	return err;
}

/* --no-pivot, as runc's msMoveRoot: the host's full procfs and sysfs mounts detached (made
 * slaves first, so that the unmount does not propagate back), or covered where they cannot be;
 * then the rootfs moved onto "/" and chrooted into. */
static int op_move_root(const struct op *op)
{
	const union arg *hide = &op->arg[1];
	for (char *p = hide->v.p; p < hide->v.p + hide->v.n; p += strlen(p) + 1) {
		if (mount(NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT) /* under one detached already */
				continue;
			return errno;
		}
		if (umount2(p, MNT_DETACH) < 0 &&
		    ((errno != EINVAL && errno != EPERM) || mount("tmpfs", p, "tmpfs", 0, NULL) < 0))
			return errno;
	}
	int err = check(chdir(op->arg[0].s));
	if (!err)
		err = check(mount(op->arg[0].s, "/", NULL, MS_MOVE, NULL));
	if (!err)
		err = check(chroot("."));
	if (!err)
		err = check(chdir("/"));
	if (!err)
		root[0] = '\0'; /* the rootfs is / now */
	return err;
}

static int op_chdir(const struct op *op)
{
	return check(chdir(op->arg[0].s));
}

static int op_sethostname(const struct op *op)
{
	return check(sethostname(op->arg[0].s, strlen(op->arg[0].s)));
}

static int op_setdomainname(const struct op *op)
{
	return check(setdomainname(op->arg[0].s, strlen(op->arg[0].s)));
}

static int op_write_file(const struct op *op)
{
	int fd = open_target(op->arg[0].s, O_WRONLY | O_NOCTTY);
	if (fd < 0)
		return errno;
	/* One write: a sysctl takes its value in one piece. */
	size_t n = strlen(op->arg[1].s);
	ssize_t w = write(fd, op->arg[1].s, n);
	int err = w < 0 ? errno : (size_t)w < n ? EIO : 0;
	close(fd);
	return err;
}

static int op_setrlimit(const struct op *op)
{
	struct rlimit limit = { op->arg[1].u, op->arg[2].u };
	return check(syscall(SYS_prlimit64, 0, op->arg[0].u, &limit, NULL));
}

static int op_prctl(const struct op *op)
{
	return check(pr(op->arg[0].u, op->arg[1].u, 0));
}

static int op_setgroups(const struct op *op)
{
	size_t n = op->arg[0].v.n / sizeof(gid_t);
	memcpy(words, op->arg[0].v.p, n * sizeof(gid_t)); /* gid_t is 32-bit on Linux */
	return check(syscall(SYS_setgroups, n, words));
}

static int op_setresgid(const struct op *op)
{
	gid_t gid = op->arg[0].u;
	return check(syscall(SYS_setresgid, gid, gid, gid));
}

static int op_setresuid(const struct op *op)
{
	uid_t uid = op->arg[0].u;
	return check(syscall(SYS_setresuid, uid, uid, uid));
}

static int op_umask(const struct op *op)
{
	umask(op->arg[0].u);
	return 0;
}

static int op_setsid(const struct op *op)
{
	(void)op;
	return check(setsid());
}

static int op_bounding(const struct op *op)
{
	/* The running kernel says how many capabilities there are: reading one past the last
	 * gives EINVAL. */
	for (int cap = 0; cap < 64; cap++) {
		int present = pr(PR_CAPBSET_READ, cap, 0);
		if (present < 0)
			return errno == EINVAL ? 0 : errno;
		if (present && !((op->arg[0].u >> cap) & 1) && pr(PR_CAPBSET_DROP, cap, 0) < 0)
			return errno;
	}
	return 0;
}

static int op_caps(const struct op *op)
{
	uint64_t eff = op->arg[0].u, perm = op->arg[1].u, inh = op->arg[2].u, amb = op->arg[3].u;
	struct cap_header header = { CAP_VERSION_3, 0 };
	struct cap_data data[2] = { /* version 3 splits each set in two 32-bit words */
		{ eff, perm, inh },
		{ eff >> 32, perm >> 32, inh >> 32 },
	};
	if (syscall(SYS_capset, &header, data) < 0)
		return errno;
	if (pr(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0) < 0)
		return errno;
	for (int cap = 0; cap < 64; cap++)
		if (((amb >> cap) & 1) && pr(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap) < 0)
			return errno;
	return 0;
}

/* A session keyring of the container's own (runc's "_ses.ID"), which every exec joins again by
 * name: its owner is given search permission so that the join finds it. */
static int op_join_keyring(const struct op *op)
{
	long key = syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, op->arg[0].s);
	if (key < 0)
		return errno;
	char description[512];
	long n = syscall(SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, key, description, sizeof description - 1);
	if (n < 0)
		return errno;
	description[n < (long)sizeof description ? n : (long)sizeof description - 1] = '\0';
	/* "type;uid;gid;perm;description", perm in hex */
	char *perm = description;
	for (int field = 0; field < 3 && perm; field++)
		if ((perm = strchr(perm, ';')))
			perm++;
	if (!perm)
		return EPROTO;
	unsigned long mask = strtoul(perm, NULL, 16) | 0x80000 /* KEY_USR_SEARCH */;
	return check(syscall(SYS_keyctl, 5 /* KEYCTL_SETPERM */, key, mask));
}

struct sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static int op_set_scheduler(const struct op *op)
{
	struct sched_attr attr = {
		.size = sizeof attr, .policy = op->arg[0].u, .flags = op->arg[1].u,
		.nice = (int32_t)op->arg[2].u, .priority = op->arg[3].u,
		.runtime = op->arg[4].u, .deadline = op->arg[5].u, .period = op->arg[6].u,
	};
	return check(syscall(SYS_sched_setattr, 0, &attr, 0));
}

static int op_set_ioprio(const struct op *op)
{
	return check(syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)op->arg[0].u));
}

static int op_set_affinity(const struct op *op)
{
	memcpy(words, op->arg[0].v.p, op->arg[0].v.n);
	return check(syscall(SYS_sched_setaffinity, 0, op->arg[0].v.n, words));
}

static int op_set_personality(const struct op *op)
{
	return personality(op->arg[0].u) < 0 ? errno : 0;
}

static int op_set_mempolicy(const struct op *op)
{
	memcpy(words, op->arg[1].v.p, op->arg[1].v.n);
	/* The kernel reads maxnode - 1 bits: one more than the mask holds. */
	unsigned long maxnode = op->arg[1].v.n * 8 + 1;
	return check(syscall(SYS_set_mempolicy, (int)op->arg[0].u, op->arg[1].v.n ? words : NULL, maxnode));
}

/* The parent, before CLONE: a new time namespace for children, with its clocks' offsets, which
 * can only be written before a process enters it (init, by the clone). */
static int op_time_offsets(const struct op *op)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return errno;
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	size_t n = strlen(op->arg[0].s);
	ssize_t w = write(fd, op->arg[0].s, n);
	int err = w < 0 ? errno : (size_t)w < n ? EIO : 0;
	close(fd);
	return err;
}

/* From <linux/seccomp.h> and <linux/filter.h>, which musl does not carry. */
struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#define BPF_MAXINSNS 4096

/* Loads a BPF program the runtime compiled (the stage knows nothing of profiles). With
 * NEW_LISTENER the kernel gives a listener, close-on-exec, that goes back with the reply; so the
 * runtime ends the batch here, for the agent to have it before any call could wait on it. */
static int op_seccomp(const struct op *op)
{
	size_t n = op->arg[1].v.n;
	if (n == 0 || n % sizeof(struct sock_filter) || n / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return EINVAL;
	memcpy(words, op->arg[1].v.p, n); /* aligned for the kernel's copy */
	struct sock_fprog prog = { n / sizeof(struct sock_filter), (struct sock_filter *)words };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, op->arg[0].u, &prog);
	if (fd < 0)
		return errno;
	if (op->arg[0].u & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		reply_fd = fd;
	return 0;
}

/* A descriptor that is procfs and nothing else: a new procfs instance of this process's pid
 * namespace, mounted nowhere (fsopen, fsmount), so that nothing the container's mounts or image
 * do can stand over or swap any file in it; where that is refused (a user namespace forbids a new
 * procfs while masked paths hide parts of /proc), a clone of /proc's own mount without the mounts
 * under it (open_tree); last, /proc itself. Each is checked to be procfs (CVE-2025-52881: an
 * attribute write redirected elsewhere). */
static int private_proc(void)
{
	int fd = -1, fs = syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			fd = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
				     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		close(fs);
	}
	if (fd < 0)
		fd = syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | O_CLOEXEC);
	if (fd < 0)
		fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs st;
	if (fd >= 0 && (fstatfs(fd, &st) < 0 || st.f_type != PROC_SUPER_MAGIC)) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* Writes a security module's attribute of this thread (its label at execve, or for the keys it
 * creates), in the first of the candidate paths under thread-self that exists. The walk stays
 * beneath the private procfs and on its one mount (no symlink out, nothing mounted over a step),
 * and the file it ends on must be procfs too. One write: the LSM reads the value in one piece. */
static int op_set_label(const struct op *op)
{
	int proc = private_proc();
	if (proc < 0)
		return errno;
	struct open_how how = {
		.flags = O_WRONLY | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	int fd = -1, err = ENOENT;
	const union arg *c = &op->arg[0];
	for (char *path = c->v.p; fd < 0 && err == ENOENT && path < c->v.p + c->v.n; path += strlen(path) + 1) {
		char sub[PATH_MAX];
		if (snprintf(sub, sizeof sub, "thread-self/%s", path) >= (int)sizeof sub) {
			err = ENAMETOOLONG;
			break;
		}
		fd = syscall(SYS_openat2, proc, sub, &how, sizeof how);
		err = fd < 0 ? errno : 0;
	}
	close(proc);
	if (fd < 0)
		return err;
	struct statfs st;
	if (fstatfs(fd, &st) < 0 || st.f_type != PROC_SUPER_MAGIC)
		err = EXDEV;
	size_t n = strlen(op->arg[1].s);
	ssize_t w = err ? 0 : write(fd, op->arg[1].s, n);
	if (!err)
		err = w < 0 ? errno : (size_t)w < n ? EIO : 0;
	close(fd);
	return err;
}

/* Fills v with pointers to the strings of a strv and a NULL; returns where v ends. */
static char **vector(const union arg *strv, char **v)
{
	for (char *p = strv->v.p; p < strv->v.p + strv->v.n; p += strlen(p) + 1)
		*v++ = p;
	*v++ = NULL;
	return v;
}

/* Blocks until `start` opens the exec fifo for reading, then tells it so with one byte. The fifo
 * came as a descriptor (O_PATH) because its path is on the host, out of sight after pivot_root. */
static int op_wait_fifo(const struct op *op)
{
	char path[FD_PATH];
	snprintf(path, sizeof path, "/proc/self/fd/%d", op->arg[0].fd);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = write(fd, "0", 1) == 1 ? 0 : errno;
	close(fd);
	return err;
}

/* Puts a descriptor of the batch at a fixed number, not close-on-exec (a hook's stdin). */
static int op_dup2(const struct op *op)
{
	return check(dup2(op->arg[0].fd, op->arg[1].u));
}

/* A new terminal from the container's own devpts: its peer becomes the controlling terminal and
 * stdio (after SETSID), and its master goes back to the runtime with the reply. */
static int op_pty(const struct op *op)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return errno;
	int unlock = 0, peer = -1, err = 0;
	struct winsize size = { .ws_row = op->arg[0].u, .ws_col = op->arg[1].u };
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 ||
	    (size.ws_row && ioctl(master, TIOCSWINSZ, &size) < 0) ||
	    /* TIOCGPTPEER opens the peer from the master, with no path lookup to be fooled */
	    (peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0 ||
	    ioctl(peer, TIOCSCTTY, 0) < 0)
		err = errno;
	for (int fd = 0; !err && fd < 3; fd++)
		if (dup2(peer, fd) < 0)
			err = errno;
	if (!err && op->arg[2].u) { /* the container's console: the same terminal, bound by descriptor */
		char path[FD_PATH];
		snprintf(path, sizeof path, "/proc/self/fd/%d", peer);
		err = check(mount(path, "/dev/console", NULL, MS_BIND, NULL));
	}
	if (peer >= 0)
		close(peer);
	if (err) {
		close(master);
		return err;
	}
	reply_fd = master;
	return 0;
}

/* Finds, as EXEC will, the first candidate that is an executable file, so that a wrong program
 * is reported by `create` rather than lost after `start`. The reply's value is its index. */
static int op_which(const struct op *op)
{
	int err = ENOENT;
	int64_t index = 0;
	const union arg *c = &op->arg[0];
	for (char *path = c->v.p; path < c->v.p + c->v.n; path += strlen(path) + 1, index++) {
		struct stat st;
		if (stat(path, &st) < 0) {
			if (err != EACCES)
				err = errno;
			continue;
		}
		/* faccessat(2) itself, not the C library's, which tries faccessat2 first: a seccomp
		 * profile older than faccessat2 refuses it with EPERM, which the library does not
		 * take for "try the old call" (Go's does). The ids are all one by now: the real uid's
		 * check is the effective one's. */
		if (S_ISREG(st.st_mode) && syscall(SYS_faccessat, AT_FDCWD, path, X_OK) == 0) {
			value = index;
			return 0;
		}
		err = EACCES;
	}
	return err;
}

static int op_exec(const struct op *op)
{
	char **argv = vectors, **envp = vector(&op->arg[1], argv);
	vector(&op->arg[2], envp);
	/* As execvp does: a candidate that exists but may not be run says more than one that is
	 * not there. */
	int err = ENOENT, denied = 0;
	const union arg *c = &op->arg[0];
	for (char *path = c->v.p; path < c->v.p + c->v.n; path += strlen(path) + 1) {
		execve(path, argv, envp);
		err = errno;
		denied |= err == EACCES;
	}
	return denied ? EACCES : err;
}

static const struct op_type types[] = {
	[OP_CLONE] = { "uf", op_clone, 1 },
	[OP_SETNS] = { "fu", op_setns, 1 },
	[OP_TIME_OFFSETS] = { "s", op_time_offsets, 1 },
	[OP_MOUNT] = { "nsnun", op_mount, 0 },
	[OP_SET_ROOT] = { "s", op_set_root, 0 },
	[OP_MKDIR] = { "su", op_mkdir, 0 },
	[OP_MKFILE] = { "su", op_mkfile, 0 },
	[OP_MKNOD] = { "suu", op_mknod, 0 },
	[OP_SYMLINK] = { "ss", op_symlink, 0 },
	[OP_MASK] = { "s", op_mask, 0 },
	[OP_CHOWN] = { "suu", op_chown, 0 },
	[OP_PIVOT_ROOT] = { "s", op_pivot_root, 0 },
	[OP_CHROOT] = { "s", op_chroot, 0 },
	[OP_MOVE_ROOT] = { "sv", op_move_root, 0 },
	[OP_CHDIR] = { "s", op_chdir, 0 },
	[OP_SETHOSTNAME] = { "s", op_sethostname, 0 },
	[OP_SETDOMAINNAME] = { "s", op_setdomainname, 0 },
	[OP_WRITE_FILE] = { "ss", op_write_file, 0 },
	[OP_SETRLIMIT] = { "uuu", op_setrlimit, 0 },
	[OP_PRCTL] = { "uu", op_prctl, 0 },
	[OP_SETGROUPS] = { "w", op_setgroups, 0 },
	[OP_SETRESGID] = { "u", op_setresgid, 0 },
	[OP_SETRESUID] = { "u", op_setresuid, 0 },
	[OP_UMASK] = { "u", op_umask, 0 },
	[OP_SETSID] = { "", op_setsid, 0 },
	[OP_BOUNDING] = { "u", op_bounding, 0 },
	[OP_CAPS] = { "uuuu", op_caps, 0 },
	[OP_EXEC] = { "vvv", op_exec, 0 },
	[OP_WAIT_FIFO] = { "f", op_wait_fifo, 0 },
	[OP_DUP2] = { "fu", op_dup2, 0 },
	[OP_PTY] = { "uuu", op_pty, 0 },
	[OP_WHICH] = { "v", op_which, 0 },
	[OP_MOUNT_SETATTR] = { "suu", op_mount_setattr, 0 },
	[OP_JOIN_KEYRING] = { "s", op_join_keyring, 0 },
	[OP_SET_SCHEDULER] = { "uuuuuuu", op_set_scheduler, 0 },
	[OP_SET_IOPRIO] = { "u", op_set_ioprio, 0 },
	[OP_SET_AFFINITY] = { "w", op_set_affinity, ANYWHERE },
	[OP_SET_PERSONALITY] = { "u", op_set_personality, 0 },
	[OP_SET_MEMPOLICY] = { "uw", op_set_mempolicy, 0 },
	[OP_SECCOMP] = { "ub", op_seccomp, 0 },
	[OP_WRITE_PROC] = { "ss", op_write_proc, 0 },
	[OP_OPEN_TREE] = { "sfuu", op_open_tree, 1 },
	[OP_MOVE_MOUNT] = { "us", op_move_mount, 0 },
	[OP_LINK_UP] = { "s", op_link_up, 0 },
	[OP_SET_LABEL] = { "vs", op_set_label, 0 },
};

/* Reading a batch: every step is checked against the end of the datagram. */

struct reader {
	char *p, *end;
};

static int take(struct reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	memcpy(out, r->p, n);
	r->p += n;
	return 0;
}

/* Checks one argument against its kind: EINVAL for a wrong size or a malformed string, EBADF
 * for a descriptor the batch did not bring. */
static int decode_arg(char kind, char *p, uint32_t n, union arg *a)
{
	uint64_t u;
	switch (kind) {
	case ARG_U64:
	case ARG_FD:
		if (n != sizeof u)
			return EINVAL;
		memcpy(&u, p, sizeof u);
		if (kind == ARG_U64)
			a->u = u;
		else if (u == FD_NONE)
			a->fd = -1;
		else if (u < nfds)
			a->fd = fds[u];
		else
			return EBADF;
		return 0;
	case ARG_STR_OR_NONE:
		if (n == 0) {
			a->s = NULL;
			return 0;
		}
		/* fall through */
	case ARG_STR: /* exactly one NUL, at the end */
		if (n == 0 || memchr(p, '\0', n) != p + n - 1)
			return EINVAL;
		a->s = p;
		return 0;
	case ARG_STRV:
		if (n > 0 && p[n - 1] != '\0')
			return EINVAL;
		break;
	case ARG_U32V:
		if (n % sizeof(uint32_t))
			return EINVAL;
		break;
	case ARG_BYTES:
		break;
	}
	a->v.p = p;
	a->v.n = n;
	return 0;
}

/* Reads one op: EPROTO for bad framing, ENOSYS for an unknown code, E2BIG for more arguments
 * than the op takes, EINVAL for fewer, an unknown flag or a bad argument. */
static int decode(struct reader *r, struct op *op)
{
	uint32_t count;
	if (take(r, &op->code, sizeof op->code) || take(r, &op->flags, sizeof op->flags) ||
	    take(r, &count, sizeof count))
		return EPROTO;
	if (op->code >= sizeof types / sizeof *types || !types[op->code].run)
		return ENOSYS;
	op->type = &types[op->code];
	size_t want = strlen(op->type->args);
	if (count > want)
		return E2BIG;
	unsigned known = FLAG_IGNORE_MISSING | FLAG_IGNORE_EXISTING | FLAG_IGNORE_UNSUPPORTED;
	if (op->code == OP_MOUNT)
		known |= FLAG_NEAREST_MOUNT | FLAG_COPY_UP;
	if (count < want || op->flags & ~known)
		return EINVAL;
	for (size_t i = 0; i < count; i++) {
		uint32_t n;
		if (take(r, &n, sizeof n) || (size_t)(r->end - r->p) < n)
			return EPROTO;
		int err = decode_arg(op->type->args[i], r->p, n, &op->arg[i]);
		if (err)
			return err;
		r->p += n;
	}
	return 0;
}

/* Receives one batch and its descriptors; returns its length, or -1 if it did not fit. End of
 * file or an error means the runtime is gone: a half-built container must not outlive it. */
static ssize_t receive(void)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof fds)];
	} control;
	struct iovec iov = { msg, sizeof msg };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = &control,
		.msg_controllen = sizeof control,
	};
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		_exit(1);
	nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && nfds < MAX_BATCH_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	return mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC) ? -1 : n;
}

static struct reply failed(int32_t index, int err)
{
	return (struct reply){ .failed_op = index, .error = err };
}

/* Checks that every op of the batch reads well and belongs in this process (the parent takes
 * SETNS, then CLONE last; init takes the rest), so that a malformed batch runs nothing. A fault
 * of the batch as a whole is reported at op 0. */
static struct reply check_batch(struct reader r, uint32_t count)
{
	struct op op;
	int after_clone = 0;
	for (uint32_t i = 0; i < count; i++) {
		int err = decode(&r, &op);
		int wrong_process = !err && op.type->in_parent != ANYWHERE && op.type->in_parent == is_init;
		if (wrong_process || (!err && after_clone))
			err = EPROTO;
		if (err)
			return failed(i, err);
		after_clone = op.code == OP_CLONE;
	}
	if (r.p != r.end || (!is_init && !after_clone))
		return failed(0, EPROTO);
	return failed(-1, 0);
}

static struct reply batch(void)
{
	ssize_t len = receive();
	struct reader r = { msg, msg + (len < 0 ? 0 : len) };
	uint32_t count = 0;
	struct reply reply = len < 0 || take(&r, &count, sizeof count) ? failed(0, EPROTO)
									 : check_batch(r, count);
	struct op op;
	for (uint32_t i = 0; reply.failed_op < 0 && i < count; i++) {
		int err = decode(&r, &op); /* cannot fail now, but never run what did not read well */
		if (!err)
			err = op.type->run(&op);
		if ((err == ENOENT && op.flags & FLAG_IGNORE_MISSING) ||
		    (err == EEXIST && op.flags & FLAG_IGNORE_EXISTING) ||
		    (err == ENOSYS && op.flags & FLAG_IGNORE_UNSUPPORTED))
			err = 0;
		if (err)
			reply = failed(i, err);
	}
	for (unsigned i = 0; i < nfds; i++) /* the container gets none of them */
		close(fds[i]);
	return reply;
}

static void send_reply(struct reply reply)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { &reply, sizeof reply };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (reply_fd >= 0) {
		mh.msg_control = &control;
		mh.msg_controllen = sizeof control;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &reply_fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != sizeof reply)
		_exit(1);
	if (reply_fd >= 0) /* the runtime has it now; the container's process must not */
		close(reply_fd);
	reply_fd = -1;
}

static void die(const char *what)
{
	fprintf(stderr, "hako-stage: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static int number(const char *s)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	return errno || end == s || *end || n < 0 || n > INT_MAX - 3 ? -1 : n;
}

/* What the runtime's process left us (ignored signals, a signal mask, descriptors) is not the
 * container's to inherit. */
static void clean_slate(int keep)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* fails, harmlessly, for SIGKILL, SIGSTOP and libc's own */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	unsigned first = 3 + keep; /* the first descriptor not kept */
	if ((unsigned)sock >= first) {
		if ((unsigned)sock > first && syscall(SYS_close_range, first, sock - 1, 0) < 0)
			die("close_range");
		first = sock + 1;
	}
	if (syscall(SYS_close_range, first, ~0U, 0) < 0)
		die("close_range");
	if (fcntl(sock, F_SETFD, FD_CLOEXEC) < 0)
		die("socket");
}

int main(int argc, char **argv)
{
	int keep = argc == 3 ? number(argv[2]) : -1;
	sock = argc == 3 ? number(argv[1]) : -1;
	if (sock < 3 || keep < 0) {
		fprintf(stderr, "usage: hako-stage SOCKET_FD KEEP_FDS\n");
		return 2;
	}
	clean_slate(keep);

	struct reply reply = batch();
	if (!is_init) {
		if (reply.failed_op < 0)
			reply.value = child;
		send_reply(reply);
		_exit(reply.failed_op < 0 ? 0 : 1);
	}
	for (;;) {
		value = 0;
		reply = batch();
		if (reply.failed_op < 0)
			reply.value = value;
		send_reply(reply);
	}
}
