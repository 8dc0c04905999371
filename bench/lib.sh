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
