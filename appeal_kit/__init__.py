"""appeal-kit: turn a marketplace image-theft case folder into a verifiable PDF dossier.

The one-call API is ``build_dossier(case_dir, options) -> BuildResult``.
"""

from __future__ import annotations

__version__ = "0.1.0"
