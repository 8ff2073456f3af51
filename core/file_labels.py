"""What a download link says a file is, besides its name: its kind (by extension) and its size.

The portal's build reads these alone, without core.content's sanitiser and document checks (issue 16);
core.content names them too, for the workbench.

Imports from: the standard library only.
"""

from __future__ import annotations

FILE_KINDS = {"pdf": "PDF 文档", "doc": "Word 文档", "docx": "Word 文档", "wps": "WPS 文字文档", "ofd": "OFD 版式文档",
              "xls": "Excel 表格", "xlsx": "Excel 表格", "et": "WPS 表格", "ppt": "PowerPoint 演示文稿",
              "pptx": "PowerPoint 演示文稿", "txt": "文本文件", "zip": "ZIP 压缩包", "rar": "RAR 压缩包",
              "jpg": "JPEG 图片", "jpeg": "JPEG 图片", "png": "PNG 图片", "gif": "GIF 图片"}


def file_kind(filename: str) -> str:
    """The kind of file a download link names (Word 文档, PDF 文档 …), by its extension."""
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    return FILE_KINDS.get(ext, f"{ext.upper()} 文件" if ext else "文件")


def size_label(size: int | None) -> str:
    """A file's size as a download link says it (12 KB, 1.5 MB)."""
    size = size or 0
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
