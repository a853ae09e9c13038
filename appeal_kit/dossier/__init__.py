"""Dossier: takes the analysis, comparison pictures and deadlines, gives the PDF (facts, pages, layout, style), the SHA-256 manifest and page previews."""
