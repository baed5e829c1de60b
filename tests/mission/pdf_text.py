"""Read the text layer of the PDFs that fpdf2 writes, with the standard library only (no PDF library needed).

fpdf2 embeds a subset of a TrueType font and shows text as two-byte glyph codes; each font's ToUnicode CMap maps
the codes back to characters. This follows those maps, which is also what a reader's copy and search use.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _stream(body: bytes) -> bytes:
    raw = _STREAM.search(body).group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + offset] = chr(int(start, 16) + offset)
    return mapping


def _literal_strings(content: bytes):
    """(font name, string bytes) for every literal string shown, in order."""
    font, index = "", 0
    while index < len(content):
        byte = content[index]
        if content.startswith(b"/F", index):
            match = re.match(rb"/(F\d+)\s+[\d.]+\s+Tf", content[index:])
            if match:
                font = match.group(1).decode()
                index += match.end()
                continue
        if byte == ord("("):
            depth, index, value = 1, index + 1, bytearray()
            while depth:
                char = content[index]
                if char == ord("\\"):
                    following = content[index + 1]
                    if following in _ESCAPES:
                        value += _ESCAPES[following]
                        index += 2
                    elif ord("0") <= following <= ord("7"):
                        digits = re.match(rb"[0-7]{1,3}", content[index + 1 :]).group(0)
                        value.append(int(digits, 8))
                        index += 1 + len(digits)
                    else:
                        value.append(following)
                        index += 2
                    continue
                depth += (char == ord("(")) - (char == ord(")"))
                if depth:
                    value.append(char)
                index += 1
            yield font, bytes(value)
            continue
        index += 1


def pdf_text(data: bytes) -> str:
    """The text of every page, one line per shown string."""
    objects = {int(number): body for number, body in _OBJECT.findall(data)}
    fonts: dict[str, dict[int, str]] = {}
    for body in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", body, re.S):
            for name, ref in re.findall(rb"/(F\d+)\s+(\d+) 0 R", block):
                to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
                fonts[name.decode()] = _cmap(_stream(objects[int(to_unicode.group(1))]))
    lines = []
    for body in objects.values():
        if re.search(rb"/Type /Page\b", body) and b"/Contents" in body:
            content = _stream(objects[int(re.search(rb"/Contents (\d+) 0 R", body).group(1))])
            for font, value in _literal_strings(content):
                codes = [int.from_bytes(value[i : i + 2], "big") for i in range(0, len(value), 2)]
                lines.append("".join(fonts[font].get(code, "\ufffd") for code in codes))
    return "\n".join(lines)
