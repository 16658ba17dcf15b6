/* A stand-in for the e2e image nonewprivs:1.3, built offline: installed set-user-ID root, it
 * prints its effective uid, which is 0 unless no_new_privs kept the set-uid bit from working. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  printf("Effective uid: %d\n", (int) geteuid());
  return 0;
}
