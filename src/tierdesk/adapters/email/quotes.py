"""Cutting quoted history and signatures from the new text of a reply.

Works on plain text (the text/plain part, or the rendering of the HTML part). What is cut:

- Gmail and most clients: an attribution line ("On Tue, 4 Mar 2025 at 10:02, Mei <...> wrote:",
  "於 2025年3月4日 週二 上午10:02寫道：", "在 ... 写道：") and the "> " lines after it; a block
  of "> " lines at the end without attribution;
- Outlook: "-----Original Message-----", a line of underscores, or a header block starting
  with "From:" / "寄件者:" / "发件人:" followed within a few lines by "Sent:" / "Date:" /
  "寄件日期:" / "发送时间:" (Outlook quotes without ">", so the whole rest goes);
- signatures: everything after the "-- " delimiter line, and trailing "Sent from my ..." /
  "從我的 iPhone 傳送" lines.

When cutting would leave nothing (a message that is all quote), the text is kept whole: the
full original is stored beside it anyway.
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(on\b.{0,300}\bwrote:|.{0,200}(於|在).{0,200}(寫道|写道)\s*[:：]|"
    r"le\b.{0,200}a écrit\s*:|am\b.{0,200}schrieb.{0,100}:)\s*$",
    re.IGNORECASE,
)
_OUTLOOK_RULE = re.compile(
    r"^\s*(-{2,}\s*(original message|原始郵件|原始邮件|forwarded message)\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(from|寄件者|发件人|寄件人)\*?\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|subject|寄件日期|发送时间|日期|收件者|收件人|主旨|主题)\*?\s*[:：]",
    re.IGNORECASE,
)
_MOBILE = re.compile(
    r"^\s*(sent from my .{1,40}|get outlook for .{1,30}|從我的 .{1,30}傳送|"
    r"从我的.{1,30}发送|寄自我的.{1,30})\s*$",
    re.IGNORECASE,
)


def new_text(text: str) -> str:
    """The part of `text` the sender wrote now (see the module doc)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _quote_start(lines)
    kept = lines[:cut]
    kept = _drop_signature(kept)
    result = "\n".join(kept).strip()
    return result or text.strip()


def _quote_start(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if _ATTRIBUTION.match(line) or _OUTLOOK_RULE.match(line):
            return i
        # Gmail wraps long attribution lines: "On ..., Mei <mei@example.com>\nwrote:"
        wrapped = i + 1 < len(lines) and lines[i + 1].strip().lower().endswith("wrote:")
        if wrapped and _ATTRIBUTION.match(line + " " + lines[i + 1].strip()):
            return i
        if _HEADER_FROM.match(line) and any(
            _HEADER_NEXT.match(nxt) for nxt in lines[i + 1 : i + 4]
        ):
            return i
    # A trailing block of "> " lines without attribution.
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and (lines[start - 1].startswith(">") or not lines[start - 1].strip()):
        start -= 1
    return (
        start
        if start < end and any(line.startswith(">") for line in lines[start:end])
        else len(lines)
    )


def _drop_signature(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if line in ("-- ", "--"):
            lines = lines[:i]
            break
    while lines and (not lines[-1].strip() or _MOBILE.match(lines[-1])):
        lines = lines[:-1]
    return lines
