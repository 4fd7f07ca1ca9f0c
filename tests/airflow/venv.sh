#!/usr/bin/env bash
# The Airflow tests' own venv: Airflow 3 and its providers bring ~150 packages, kept apart from
# the main test venv. Creates (or updates) it with the exact versions of constraints.txt and
# prints its python's path on the last line of stdout.
#   tests/airflow/venv.sh [--resolve]
# PINETL_AIRFLOW_VENV: where (default: .venv-airflow at the project root).
# PINETL_PYTHON: the interpreter to base it on (default: python3). It must be the one pinetl's
#   extension module was built for, since the tests import pinetl from the build tree.
# --resolve: install the top-level requirements without constraints (pip resolves them) and
#   write the result to constraints.txt (done once, when a version is bumped; then commit it).
set -euo pipefail
stamp_of() {  # what the venv was made from: the constraints and the interpreter
  echo "$(sha256sum "$constraints" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0], sys.executable)')"
}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${PINETL_AIRFLOW_VENV:-$root/.venv-airflow}
python=${PINETL_PYTHON:-python3}
constraints=$here/constraints.txt
# deltalake: the batch DAG's Delta task (pinetl.delta) when a Delta location is configured.
requirements=(apache-airflow==3.3.2 apache-airflow-providers-standard
              apache-airflow-providers-databricks cffi numpy "pandas>=2.2,<3" plotly deltalake)

if [[ ${1:-} == --resolve ]]; then
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  "$venv/bin/pip" install -q "${requirements[@]}" >&2
  { echo "# Exact versions for the Airflow tests' own venv (tests/airflow/venv.sh), resolved once"
    echo "# by pip from: ${requirements[*]}"
    echo "# on CPython $("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])'), then frozen."
    echo "# Regenerate with tests/airflow/venv.sh --resolve."
    "$venv/bin/pip" freeze --exclude-editable; } > "$constraints"
  stamp_of > "$venv/.pinetl-constraints"
  echo "$venv/bin/python"
  exit 0
fi

stamp=$venv/.pinetl-constraints
want=$(stamp_of)
if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi
rm -rf "$venv"
"$python" -m venv "$venv" >&2
"$venv/bin/pip" install -q -c "$constraints" "${requirements[@]}" >&2
"$venv/bin/pip" check >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
