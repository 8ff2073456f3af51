"""Word (.docx) conversion with limits: a small file must not tie up the workbench (第二十条).

A .docx is a zip of XML: 205 KB can unpack to a 200 MB run, or hold 200,000 paragraphs, and the
converter (mammoth, pure Python) then runs for minutes and returns more than a browser message can
carry. So before converting: the sizes the zip declares, then the counts in its XML (elements,
paragraphs, the longest stretch of text, image references), each stopped as soon as a limit is
passed. The conversion itself runs in a child process (`core.docx_worker`) with a CPU and an
address-space limit, at low priority, killed when its time is up: whatever a file does, the
server process and the other users' pages go on.

Imports errors only: the worker process imports this module and must not load the database (its
address-space limit is set after the imports); the office's limits are read by settings.limits_from_settings.
"""

from __future__ import annotations

import io
import json
import os
import pyexpat
import resource
import signal
import subprocess
import sys
import threading
import zipfile
from dataclasses import asdict
from pathlib import Path

from core.docx_limits import DocxLimits  # the limits themselves: core.settings reads them without this module
from core.errors import ValidationError

FIELD = "Word 文件"
ARTICLE = "第二十条"
_ROOT = Path(__file__).resolve().parent.parent
_MB = 1024 * 1024
# at most this many conversions at once: the machine's cores stay with the server
_SLOTS = threading.BoundedSemaphore(2)


_SPLIT = ",请将文件拆分后分别上传,或复制文字粘贴"


def refuse(rule: str) -> ValidationError:
    return ValidationError(FIELD, rule, ARTICLE)


def too_large(rule: str) -> ValidationError:
    """A limit passed: the officer is told which, and what to do instead."""
    return refuse(rule + _SPLIT)


def _amount(n: int, unit: str) -> str:
    """20000, "个" → "2 万个": how an officer says the number."""
    return f"{n // 10_000} 万{unit}" if n >= 10_000 and n % 10_000 == 0 else f"{n:,} {unit}"


# ---------------------------------------------------------------------------------------
# prechecks


def check_archive(archive: zipfile.ZipFile, limits: DocxLimits) -> None:
    """What the zip declares: the number of parts and their unpacked size (Python's zipfile
    stops at the declared size, so a part cannot unpack to more than it says)."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise too_large(f"文件由 {len(infos)} 个部分组成,超过 {limits.max_members} 个上限")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_mb * _MB:
        raise too_large(f"展开后 {unpacked / _MB:.0f} MB,超过 {limits.max_unpacked_mb} MB 上限")


class _Counter:
    """Counts while expat reads; raises (stopping the read) at the first limit passed."""

    def __init__(self, limits: DocxLimits) -> None:
        self.limits = limits
        self.elements = 0
        self.paragraphs = 0
        self.images = 0
        self.text = 0  # characters since the last opening tag (more than the text node: never less)

    def start(self, name: str, _attrs) -> None:
        self.text = 0
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise too_large(f"内容过于复杂(XML 元素超过 {_amount(self.limits.max_elements, '个')}上限)")
        namespace, _, local = name.rpartition(" ")
        if local == "p" and "wordprocessingml" in namespace:
            self.paragraphs += 1
            if self.paragraphs > self.limits.max_paragraphs:
                raise too_large(f"段落超过 {_amount(self.limits.max_paragraphs, '个')}上限")
        elif local in ("blip", "imagedata"):
            self.images += 1
            if self.images > self.limits.max_images:
                raise too_large(f"图片超过 {_amount(self.limits.max_images, '张')}上限")

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.max_text_chars:
            raise too_large(f"有一段连续文字超过 {_amount(self.limits.max_text_chars, '字')}上限")


def _read_xml(archive: zipfile.ZipFile, name: str, counter: _Counter) -> None:
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True  # one call per stretch of text, not per line
    parser.StartElementHandler = counter.start
    parser.CharacterDataHandler = counter.characters
    with archive.open(name) as stream:
        while chunk := stream.read(256 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def check_parts(archive: zipfile.ZipFile, limits: DocxLimits) -> None:
    """The counts in every XML part: fast, because reading stops at the first limit passed."""
    counter = _Counter(limits)
    for name in archive.namelist():
        if name.endswith((".xml", ".rels")):
            _read_xml(archive, name, counter)


def open_docx(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


# ---------------------------------------------------------------------------------------
# the bounded child process

EXIT_REFUSED = 2
EXIT_MEMORY = 3


def _memory_rule(limits: DocxLimits) -> str:
    return f"转换所需内存超过 {limits.memory_mb} MB 上限(文件内容过大或过于复杂){_SPLIT}"


def _timeout_rule(limits: DocxLimits) -> str:
    return f"转换超时({limits.seconds} 秒):文件内容过大或过于复杂{_SPLIT}"


def _outcome(done: subprocess.CompletedProcess, limits: DocxLimits,
             refused: ValidationError) -> tuple[str, list[str]]:
    if done.returncode == 0:
        result = json.loads(done.stdout)
        return result["html"], result["messages"]
    if done.returncode == EXIT_REFUSED:
        raise ValidationError(**json.loads(done.stdout))
    if done.returncode == EXIT_MEMORY or done.returncode in (-signal.SIGABRT, -signal.SIGSEGV):
        raise refuse(_memory_rule(limits))  # MemoryError in Python; a native library aborts
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise refuse(_timeout_rule(limits))
    raise refused


def convert_bounded(data: bytes, limits: DocxLimits, refused: ValidationError) -> tuple[str, list[str]]:
    """Run core.docx_worker on the file; `refused` is raised when it is simply not a .docx."""
    if not _SLOTS.acquire(timeout=limits.seconds):
        raise refuse("其他 Word 文件正在转换,请稍后再试")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "core.docx_worker", json.dumps(asdict(limits))],
            input=data, capture_output=True, timeout=limits.seconds, cwd=_ROOT, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise refuse(_timeout_rule(limits)) from None
    finally:
        _SLOTS.release()
    return _outcome(done, limits, refused)


def bound_this_process(limits: DocxLimits) -> None:
    """In the child: a CPU and an address-space limit, and a low priority (the server goes first)."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds, limits.seconds + 5))
    memory = limits.memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.nice(10)
