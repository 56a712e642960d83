"""``python -m adamlab`` runs the same command line as ``adamlab``."""
from adamlab.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    raise SystemExit(main())
