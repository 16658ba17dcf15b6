#!/bin/bash
# The steps on a running container that the podman (root and rootless) and Docker suites share:
# logs, exec (beside PID 1, its exit status, -e -w -u, -it), run -it and kill.
# Usage: sleeper_steps CLIENT [RUN-OPTION...] — CLIENT: the suite's function that runs its client
# (pm, dk); the options follow `run` in `run -it`. Sourced after lib.sh by a suite that defines
# IMAGE, SLEEPER (the script of the container "sleeper", already running) and wait_for_log.
sleeper_steps() {
  local client=$1; shift
  local run=(run "$@")
  if wait_for_log sleeper started; then
    capture 30 "$client" logs sleeper
    check "logs: exactly what the container printed (nothing from the runtime)" "started" "$OUT" "$ERR"
  else fail "logs: exactly what the container printed (nothing from the runtime)" "$("$client" logs sleeper 2>&1)"; fi

  capture 30 "$client" exec sleeper sh -c 'echo exec-ok; tr "\0" " " < /proc/1/cmdline; echo; echo $$'
  if [ "$RC" -eq 0 ] && [ "$(sed -n 1p <<< "$OUT")" = exec-ok ] &&
     [ "$(sed -n 2p <<< "$OUT")" = "sh -c $SLEEPER " ] &&
     [ "$(sed -n 3p <<< "$OUT")" != 1 ]; then
    pass "exec: runs beside PID 1 in the container's namespaces"
  else fail "exec: runs beside PID 1 in the container's namespaces" "rc=$RC"$'\n'"$OUT"$'\n'"$ERR"; fi

  capture 30 "$client" exec sleeper sh -c 'exit 5'
  check "exec: exit status 5 comes back" 5 "$RC" "$ERR"

  capture 30 "$client" exec -e EXEC_VAR=v1 -w /tmp -u 65534:65534 sleeper sh -c 'echo "$EXEC_VAR $(pwd) $(id -u):$(id -g)"'
  check "exec -e -w -u: environment, directory and user of the process" "v1 /tmp 65534:65534" "$OUT" "$ERR"

  tty_out=$(on_a_terminal "$client" exec -it sleeper sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo tty-ok' 2>&1)
  if grep -qE '^/dev/pts/[0-9]+$' <<< "$tty_out" && grep -qx tty-ok <<< "$tty_out"; then
    pass "exec -it: the process has a terminal on stdin and stdout"
  else fail "exec -it: the process has a terminal on stdin and stdout" "$tty_out"; fi

  # The process waits a moment before it speaks: rootless podman 4.3 may attach to conmon only
  # after start, and what a quick process printed before is lost — with runc too (measured: 2
  # runs in 8 with no output at all, exit 0).
  tty_out=$(on_a_terminal "$client" "${run[@]}" --rm -it "$IMAGE" sh -c 'sleep 1; tty; [ -t 0 ] && [ -t 1 ] && echo tty-ok' 2>&1)
  if grep -qE '^/dev/pts/[0-9]+$' <<< "$tty_out" && grep -qx tty-ok <<< "$tty_out"; then
    pass "run -it: the container's process has a terminal (console socket)"
  else fail "run -it: the container's process has a terminal (console socket)" "$tty_out"; fi

  # podman and Docker pass the signal to the runtime as a number (kill ID 10).
  capture 30 "$client" kill --signal USR1 sleeper
  if [ "$RC" -eq 0 ] && wait_for_log sleeper "got USR1"; then pass "kill --signal USR1: the process's trap ran"
  else fail "kill --signal USR1: the process's trap ran" "$ERR"$'\n'"$("$client" logs sleeper 2>&1)"; fi
}
