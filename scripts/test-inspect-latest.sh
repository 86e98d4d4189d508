#!/usr/bin/env bash
# Run the eval tests against Inspect AI's newest release, apart from the main environment.
#
# ksafe pins inspect-ai below its next minor series (pyproject.toml); this step tells early whether the
# next releases still work. It makes a separate venv (seeing the main site-packages, so ksafe and its other
# dependencies are shared), upgrades only inspect-ai there, and runs the eval tests with it. The main
# environment is never changed. It prints one result line, "inspect-latest: PASSED|FAILED|SKIPPED ...",
# and always exits 0: a failure here is reported, it does not fail CI.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
VENV="${INSPECT_LATEST_VENV:-${TMPDIR:-/tmp}/ksafe-inspect-latest}"
SPEC="${INSPECT_LATEST_SPEC:-inspect-ai}"  # another spec (inspect-ai==X) checks this script itself
TESTS=(tests/test_eval_engine.py tests/test_eval_mock.py tests/test_eval_resume_faults.py tests/test_eval_dry_run.py)
installed=$("$PYTHON" -c "from importlib.metadata import version; print(version('inspect-ai'))" 2>/dev/null)
if [ -z "$installed" ]; then
  echo "inspect-latest: SKIPPED (inspect-ai is not installed in the main environment)"
  exit 0
fi
rm -rf "$VENV"
if ! "$PYTHON" -m venv --without-pip "$VENV" >/dev/null 2>&1; then
  echo "inspect-latest: SKIPPED (could not create a venv at $VENV)"
  exit 0
fi
# The new venv sees the main environment's packages (ksafe, pip, pytest...) after its own, the way
# --system-site-packages would, also when the main environment is itself a venv.
"$PYTHON" - "$VENV" <<'PY'
import site, sys, sysconfig
from pathlib import Path
venv = Path(sys.argv[1])
target = venv / Path(sysconfig.get_path("purelib")).relative_to(sysconfig.get_path("data"))
lines = [f"import site; site.addsitedir({path!r})" for path in site.getsitepackages()]
(target / "zz-ksafe-main-env.pth").write_text("\n".join(lines) + "\n")
PY
if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -U "$SPEC" >"$VENV/pip.log" 2>&1; then
  echo "inspect-latest: SKIPPED (pip could not fetch inspect-ai; see $VENV/pip.log)"
  exit 0
fi
latest=$("$VENV/bin/python" -c "from importlib.metadata import version; print(version('inspect-ai'))")
if [ "$latest" = "$installed" ]; then
  echo "inspect-latest: SKIPPED (inspect-ai $installed is already the newest release)"
  rm -rf "$VENV"
  exit 0
fi
echo "inspect-latest: running the eval tests with inspect-ai $latest (the main environment has $installed)"
if "$VENV/bin/python" -m pytest -q -p no:cacheprovider "${TESTS[@]}" >"$VENV/pytest.log" 2>&1; then
  echo "inspect-latest: PASSED with inspect-ai $latest ($(tail -n 1 "$VENV/pytest.log"))"
else
  echo "inspect-latest: FAILED with inspect-ai $latest (reported only; CI result unchanged). Last lines:"
  tail -n 30 "$VENV/pytest.log"
fi
rm -rf "$VENV"
exit 0
