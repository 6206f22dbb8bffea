"""Entry point of the ``workerdesk`` command: the CLI, or the desktop app without a command."""

from __future__ import annotations

import sys

from desktop_app.cli import run


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
