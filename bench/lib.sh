# shellcheck shell=bash
# Helpers shared by the side-by-side benchmark scripts in bench/. Source it
# with: source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A loopback TCP port nobody listens on right now.
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The median of the numbers on stdin (whitespace-separated; "n/a" and empty
# entries skipped); "n/a" when there are none.
median() {
  tr -s ' \t' '\n\n' | awk '$1 != "n/a" && NF { print $1 }' | sort -g |
    awk '{ v[n++] = $1 } END { if (n == 0) print "n/a"; else if (n % 2) print v[(n-1)/2]; else print (v[n/2-1] + v[n/2]) / 2 }'
}

# Servers by name, for the scripts that start redis-server and tmkv-server
# side by side. The caller sets `tmp` (a scratch folder: logs go there) and
# REDIS_CLI, defines die() and, for each NAME it starts, NAME_cmd PORT,
# which prints that server's command line. PID[NAME] and PORT[NAME] hold
# the running ones.
# shellcheck disable=SC2034  # PORT is read by the scripts that source this file
declare -A PID PORT

server_start() {  # name: starts it on a free port and waits until it answers PING
  local name=$1 port cmd
  port=$(free_port)
  cmd=$("${name}_cmd" "$port")
  eval "exec $cmd" >"${tmp:?server_start needs tmp set}/$name.log" 2>&1 &
  PID[$name]=$!
  PORT[$name]=$port
  for _ in $(seq 1 200); do
    if "$REDIS_CLI" -h 127.0.0.1 -p "$port" PING 2>/dev/null | grep -q PONG; then
      return 0
    fi
    kill -0 "${PID[$name]}" 2>/dev/null || { cat "$tmp/$name.log" >&2; die "$name exited at start: $cmd"; }
    sleep 0.05
  done
  cat "$tmp/$name.log" >&2
  die "$name did not answer PING within 10 s: $cmd"
}

server_stop() {  # name: SIGTERM, wait
  local name=$1
  [[ -n ${PID[$name]:-} ]] || return 0
  kill "${PID[$name]}" 2>/dev/null || true
  wait "${PID[$name]}" 2>/dev/null || true
  unset "PID[$name]"
}

servers_stop_all() {  # for the caller's EXIT trap
  local s
  for s in "${!PID[@]}"; do
    kill "${PID[$s]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
