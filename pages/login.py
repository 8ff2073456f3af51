"""登录: the sign-in form's address (…/login) runs the frame, whose form it is. Imports from: app.py (by path).

Streamlit's pages/-folder mode (the first script run after a start, and every AppTest run) knows only
the files in this folder: without one of this name, …/login answered "Page not found" (页面不存在或无权
访问) before the frame ran. Here the frame runs, as it does at "/" in that mode, and shows its form."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent.parent / "app.py"), run_name="__main__")
