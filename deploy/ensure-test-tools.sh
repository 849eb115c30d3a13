#!/usr/bin/env bash
# Makes sure what the tests need beyond Maven's dependencies is on this machine: Debian's
# dataset-fashion-mnist (the real-data tests read /usr/share/datasets/fashion-mnist), chromium
# (the report tests open report.html in a real headless browser) and tcpdump (the encryption test
# captures the ring's loopback traffic). Installs the missing ones with
# apt-get (as root, or through sudo); elsewhere says in one line what to install and exits 1.
#
#   deploy/ensure-test-tools.sh
set -euo pipefail
missing=()
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] || missing+=(dataset-fashion-mnist)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tcpdump >/dev/null 2>&1 || [[ -x /usr/bin/tcpdump || -x /usr/sbin/tcpdump ]] || missing+=(tcpdump)
(( ${#missing[@]} == 0 )) && exit 0

sudo=""
[[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1 || [[ "$(id -u)" != 0 && -z "$sudo" ]]; then
  echo "dptrain: error: the tests need the Debian packages ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "dptrain: installing the test tools: ${missing[*]}..." >&2
# a fresh machine's package lists may be empty or stale: update once when the first try fails
$sudo apt-get install -y -q "${missing[@]}" >&2 \
  || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q "${missing[@]}" >&2; }
