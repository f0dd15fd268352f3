"""``python -m opendata_mh`` runs the command-line interface."""

from opendata_mh.cli import main

if __name__ == "__main__":
    main()
