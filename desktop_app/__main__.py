"""``python -m desktop_app``: the same entry point as the ``workerdesk`` command."""

from desktop_app.main import main

main()
