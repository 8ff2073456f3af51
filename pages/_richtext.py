"""正文编辑器: a rich-text editor (TipTap, served from this machine) as a Streamlit component.

Its browser file is bundled from node_modules by scripts/build_editor.sh. Whatever the editor
returns is only a draft of the body: saving still goes through core.content (sanitiser, 第十五条).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent / "_richtext_frontend"
_component = components.declare_component("richtext", path=str(FRONTEND))


def assets_present() -> bool:
    return (FRONTEND / "build" / "editor.js").is_file()


def rich_text(key: str, value: str, *, readonly: bool = False, height: int = 380,
              placeholder: str = "") -> str | None:
    """Show the editor loaded with `value`; return the HTML the officer has written in this instance
    (None until they change something). A new `key` mounts a new instance, loaded afresh."""
    if not assets_present():
        st.error("正文编辑器的文件缺失:请在项目目录运行 npm install 和 sh scripts/build_editor.sh 后重启工作台。")
        return None
    return _component(value=value, readonly=readonly, height=height, placeholder=placeholder, key=key,
                      default=None)
