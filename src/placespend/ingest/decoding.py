"""Bytes to text for the files readers take (spend files first), saying what was guessed and which rows were damaged.

Councils publish CSVs from many systems: UTF-8 with or without a BOM, Windows cp1252, MacRoman from a
Mac's Excel, UTF-16 from "Unicode text" exports, and files glued together from months saved differently
(some lines UTF-8, some cp1252). A file is decoded line by line so that one bad line neither aborts the
file nor silently turns into question marks: the lines read with a fallback encoding are returned so the
reader can warn on the row they belong to. Mirrors sometimes re-encode a file under the wrong code page;
`repair_cell` undoes the two common kinds of such damage ("mojibake") and says when it did.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

LEGACY_ENCODINGS = ("cp1252", "mac_roman")
# Characters that legitimately occur in English spend data outside ASCII; a decoding producing more of
# them (and fewer of the accented capitals each code page turns the other's punctuation into) wins.
PLAUSIBLE = set("£€–—‘’“”…•é\xa0·°½¼¾ñüöäáàèíóú©®™")
# 'Â£' and 'â€™' are UTF-8 read as cp1252; '†' is cp1252's no-break space (0xA0) read as MacRoman.
_UTF8_AS_CP1252 = re.compile("[ÂÃâ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_MACROMAN_DAGGER = "†"
REPLACEMENT = "\ufffd"


@dataclass
class DecodedText:
    """A file's text as physical lines, with the encoding used and the lines that needed a fallback."""

    lines: list[str]
    encoding: str
    fallback_lines: set[int] = field(default_factory=set)  # 0-based physical lines read with `fallback`
    fallback: str | None = None
    truncated: bool = False                                 # a .gz cut short: the text stops early
    nul_bytes: bool = False


def read_raw(path: Path) -> tuple[bytes, bool]:
    """The file's bytes, gunzipped when it is gzip (by its magic number, not its name), unzipped when it is a zip
    holding one CSV.

    A truncated .gz yields what could be decompressed and True, so the reader can report the cut instead of
    refusing the file.
    """
    data = path.read_bytes()
    if data[:2] == b"PK":
        return _zipped_csv(data), False
    if data[:2] != b"\x1f\x8b":
        return data, False
    try:
        return gzip.decompress(data), False
    except (EOFError, OSError, zlib.error):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            return inflater.decompress(data), True
        except zlib.error:
            return b"", True


def _zipped_csv(data: bytes) -> bytes:
    """The one CSV inside a zip (councils publish yearly files zipped); anything else is not a spend file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith((".csv", ".txt"))]
            return archive.read(names[0]) if len(names) == 1 else b""
    except zipfile.BadZipFile:
        return data


def decode(raw: bytes) -> DecodedText:
    """Decode a whole file: UTF-16 by BOM, else UTF-8 where it is valid, else the likelier legacy code page."""
    nul = b"\x00" in raw
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return DecodedText(_lines(raw.decode("utf-16")), "utf-16", nul_bytes=False)
    if nul:
        raw = raw.replace(b"\x00", b"")
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    try:
        return DecodedText(_lines(raw.decode("utf-8")), "utf-8", nul_bytes=nul)
    except UnicodeDecodeError:
        pass
    byte_lines = raw.splitlines(keepends=True)
    bad = [i for i, line in enumerate(byte_lines) if not _is_utf8(line)]
    legacy = guess_legacy(b"".join(byte_lines[i] for i in bad))
    utf8_elsewhere = any(not line.isascii() for i, line in enumerate(byte_lines) if i not in set(bad))
    if not utf8_elsewhere:  # a plain legacy file: no row is damaged, the whole file is in that code page
        return DecodedText(_lines(raw.decode(legacy, errors="replace")), legacy, nul_bytes=nul)
    bad_set = set(bad)
    lines = [line.decode(legacy, errors="replace") if i in bad_set else line.decode("utf-8")
             for i, line in enumerate(byte_lines)]
    return DecodedText(lines, "utf-8", bad_set, legacy, nul_bytes=nul)


def guess_legacy(sample: bytes) -> str:
    """cp1252 or MacRoman, whichever turns the sample into more plausible characters.

    The two agree on ASCII and on '£' but swap punctuation for accented capitals: MacRoman's '–' (0xD0) is
    cp1252's 'Ð', cp1252's '’' (0x92) is MacRoman's 'í'. Bytes cp1252 leaves undefined settle it at once.
    """
    best, best_score = LEGACY_ENCODINGS[0], -1
    for encoding in LEGACY_ENCODINGS:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = sum(1 for ch in text if ch in PLAUSIBLE)
        if score > best_score:
            best, best_score = encoding, score
    return best


def repair_cell(text: str) -> tuple[str, str | None]:
    """The cell with known mojibake undone, and what was done (None when the cell was fine).

    Only two well-attested kinds are repaired, each verified by re-encoding: UTF-8 bytes that were read as
    cp1252 ('Â£' -> '£') and cp1252 no-break spaces read as MacRoman ('†' -> ' ', Lambeth's mirror).
    Replacement characters cannot be undone; they are reported as damage.
    """
    if text.isascii():
        return text, None
    what = None
    if _UTF8_AS_CP1252.search(text):
        with contextlib.suppress(UnicodeError):
            text, what = text.encode("cp1252").decode("utf-8"), "UTF-8 read as cp1252"
    if _MACROMAN_DAGGER in text:
        try:
            text, what = text.encode("mac_roman").decode("cp1252"), "cp1252 read as MacRoman"
        except UnicodeError:
            text, what = text.replace(_MACROMAN_DAGGER, " "), "cp1252 read as MacRoman"
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    if what:
        text = " ".join(text.split())
    if REPLACEMENT in text:
        what = "unreadable characters (shown as '\ufffd')"
    return text, what


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _lines(text: str) -> list[str]:
    """Physical lines split only on CR, LF and CRLF (not on the other characters str.splitlines honours)."""
    return list(io.StringIO(text, newline=""))


def open_text(path: Path) -> io.TextIOBase:
    """Text of a CSV: gunzipped or unzipped by magic number, BOM removed, decoded as UTF-8 where valid or else
    the likelier legacy code page (cp1252 or MacRoman). Shared by every reader, since spend files met them all."""
    raw, _ = read_raw(path)
    return io.StringIO("".join(decode(raw).lines), newline="")
