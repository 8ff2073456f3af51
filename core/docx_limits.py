"""The limits a Word (.docx) upload is held to (第二十条), apart from core.docx_guard that enforces them:
core.settings builds them from the office's settings, and a process that reads a setting should not import
the guard's machinery (zip, XML parser, child processes: ≈4 ms) for the one use that needs it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocxLimits:
    max_unpacked_mb: int = 100  # as core.extract.MAX_UNPACKED
    max_members: int = 2_000
    max_elements: int = 300_000
    max_paragraphs: int = 20_000
    max_text_chars: int = 200_000  # one stretch of text between two tags
    max_images: int = 200  # image references: one picture shown 10,000 times is 10,000 copies
    max_html_mb: int = 60  # what the editor receives must stay well under Streamlit's 200 MB message
    seconds: int = 60
    memory_mb: int = 1_024
