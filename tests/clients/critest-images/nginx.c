/* A stand-in for nginx in critest's e2e images (nginx:1.14-2, hostnet-nginx), built offline:
 * what critest looks at is nginx's process, not its web server. Like nginx's master it is named
 * "nginx" (pidof nginx), shows "nginx: master process ..." in /proc/PID/cmdline (nginx sets its
 * process title; here an exec of itself with that argv[0]), writes its pid to
 * /var/run/nginx.pid, and serves /usr/share/nginx/html on $NGINX_PORT (80 when unset): with
 * busybox's httpd as its child, to which it passes TERM, INT and QUIT. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char title[] = "nginx: master process nginx -g daemon off;";
static pid_t server;

static void pass_on(int signal) {
  if (server > 0) kill(server, signal);
}

int main(int argc, char **argv) {
  (void) argc;
  if (strcmp(argv[0], title) != 0) {
    char *again[] = {(char *) title, NULL};
    execv("/usr/sbin/nginx", again);
    perror("nginx: exec /usr/sbin/nginx");
    return 1;
  }
  FILE *pidfile = fopen("/var/run/nginx.pid", "w");
  if (pidfile == NULL) { perror("nginx: /var/run/nginx.pid"); return 1; }
  fprintf(pidfile, "%d\n", (int) getpid());
  fclose(pidfile);
  const char *port = getenv("NGINX_PORT");
  char listen[32];
  snprintf(listen, sizeof listen, "%s", port != NULL ? port : "80");
  signal(SIGTERM, pass_on);
  signal(SIGINT, pass_on);
  signal(SIGQUIT, pass_on);
  server = fork();
  if (server < 0) { perror("nginx: fork"); return 1; }
  if (server == 0) {
    execl("/bin/busybox", "httpd", "-f", "-p", listen, "-h", "/usr/share/nginx/html", (char *) NULL);
    perror("nginx: exec httpd");
    _exit(127);
  }
  int status = 0;
  while (waitpid(server, &status, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}
