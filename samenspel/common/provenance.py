"""What computed a set of results: enough to recompute them and to check that nothing moved.

    provenance(inputs)   # {"samenspel": ..., "commit": ..., "python": ..., "packages": ...,
                         #  "inputs": {role: {"name": ..., "sha256": ...}}}

No absolute paths: a results folder is shared, and where the analyst's files lived is
neither needed to recompute nor anyone else's business. Files are named by their base name
and identified by their SHA-256.
"""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

import samenspel
from samenspel.common.files import sha256_of

# The packages whose versions can change a number in the results.
NUMERICAL_PACKAGES = (
    "numpy", "scipy", "pandas", "duckdb", "pingouin", "factor_analyzer", "scikit-learn",
    "statsmodels", "pyyaml",
)  # fmt: skip


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def source_commit() -> str:
    """The git commit of the samenspel source when it runs from a checkout ('+' and the
    count of changed files when the checkout has changes), else ''."""
    root = Path(samenspel.__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return ""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
            check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        changed = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.splitlines()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + (f"+{len(changed)} changed files" if changed else "")


def file_identity(path: str | Path) -> dict[str, str]:
    path = Path(path)
    return {"name": path.name, "sha256": sha256_of(path)}


def provenance(inputs: dict[str, str | Path]) -> dict:
    """samenspel's version and commit, Python's and the numerical packages' versions, and
    the name and checksum of each input file (``inputs``: role -> path)."""
    return {
        "samenspel": package_version("samenspel"),
        "commit": source_commit(),
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in NUMERICAL_PACKAGES},
        "inputs": {role: file_identity(path) for role, path in inputs.items()},
    }
