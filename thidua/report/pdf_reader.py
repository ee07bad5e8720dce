"""pyHanko's PDF reader, with each object stream's offset table kept: validating a tagged report takes
seconds instead of minutes.

pyHanko re-reads a whole object stream's header for every object it takes from it. WeasyPrint writes
every small object of a report (≈20.000 with the structure tree) into one object stream, and the
difference analysis of a signature visits the whole structure tree: quadratic, ≈20 s per signature.
Objects are read exactly as pyHanko reads them; anything unusual falls back to pyHanko's own code.
"""

from __future__ import annotations

import io
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader


class IndexedPdfReader(PdfFileReader):
    """A PdfFileReader that parses each object stream's header once."""

    def __init__(self, stream: Any, strict: bool = True, **kwargs: Any) -> None:
        self._object_streams: dict[int, tuple[bytes, int, dict[int, int]] | None] = {}
        super().__init__(stream, strict=strict, **kwargs)

    def _index(self, stmnum: int) -> tuple[bytes, int, dict[int, int]] | None:
        if stmnum not in self._object_streams:
            entry = None
            try:
                stream = generic.Reference(stmnum, 0, self).get_object()
                if isinstance(stream, generic.StreamObject) and stream.get("/Type") == "/ObjStm":
                    data = stream.read_data(DecodePurpose.OBJECT_STREAM)
                    first, count = int(stream["/First"]), int(stream["/N"])
                    numbers = [int(x) for x in data[:first].split()[: 2 * count]]
                    entry = (data, first, dict(zip(numbers[::2], numbers[1::2], strict=True)))
            except (ValueError, KeyError, TypeError):
                entry = None  # a damaged stream: pyHanko's own code decides what that means
            self._object_streams[stmnum] = entry
        return self._object_streams[stmnum]

    def _get_object_from_stream(self, idnum: int, stmnum: int, idx: int) -> Any:
        entry = self._index(stmnum)
        if entry is not None and idnum in entry[2]:
            data, first, offsets = entry
            buffer = io.BytesIO(data)
            buffer.seek(first + offsets[idnum])
            try:
                obj = generic.read_object(buffer, generic.Reference(idnum, 0, self))
            except Exception:  # let pyHanko's reader raise (or not) as it would
                obj = None
            if obj is not None and not isinstance(obj, (generic.StreamObject, generic.IndirectObject)):
                return obj
        return super()._get_object_from_stream(idnum, stmnum, idx)
