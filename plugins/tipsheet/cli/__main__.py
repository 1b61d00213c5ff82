"""python -m tipsheet.cli: the same as the tipsheet command."""

from . import main

raise SystemExit(main())
