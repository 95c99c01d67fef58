#!/bin/sh
# Installs the Debian packages parbench needs to build, run and test, if any are missing:
# apt-get as root, `sudo -n` otherwise, else one line saying the exact command to run.
set -eu

# deps.sh [bench|test]: bench installs what building and running the benchmark needs; test
# (the default) also what the tests need (cmocka, valgrind, clang for fuzzing, iproute2 and
# Slurm for the simulated hosts, chromium to render report.html).
BENCH_PACKAGES="gcc g++ make cmake pkg-config libhwloc-dev libbenchmark-dev libpng-dev libjpeg-dev openmpi-bin libopenmpi-dev gnuplot-nox procps"
TEST_PACKAGES="libcmocka-dev iproute2 slurm-wlm valgrind clang libclang-rt-dev util-linux chromium"
case "${1:-test}" in
bench) PACKAGES="$BENCH_PACKAGES" ;;
test) PACKAGES="$BENCH_PACKAGES $TEST_PACKAGES" ;;
*) echo "usage: scripts/deps.sh [bench|test]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "parbench: not a Debian/Ubuntu system; install the equivalents of: $PACKAGES" >&2
	exit 1
fi
missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "parbench: missing Debian packages:$missing; install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
# A package this distribution does not have (names differ between Debian and Ubuntu releases)
# is said and skipped: CMake then leaves out what needs it, or says what is missing.
install=""
for p in $missing; do
	if apt-cache show "$p" >/dev/null 2>&1; then
		install="$install $p"
	else
		echo "parbench: package $p is not available here; what needs it is left out" >&2
	fi
done
[ -z "$install" ] && exit 0
echo "parbench: installing missing Debian packages:$install" >&2
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $install >/dev/null
