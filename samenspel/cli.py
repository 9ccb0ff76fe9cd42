"""The `samenspel` command line: one entry point, one subcommand a stage."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("samenspel: not yet implemented", file=sys.stderr)
    return 2
