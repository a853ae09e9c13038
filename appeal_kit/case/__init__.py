"""Case folder: reads and validates ``case.toml`` and lists the evidence folders (``config``); writes a new case folder (``scaffold``)."""
