"""One page of a long list. At national scale the lists a page shows (every submission, every body, every line
behind a figure) run to tens of thousands of rows; a browser that must lay out all of them takes seconds, so pages
show a slice with the totals of the whole list and a way to the rest (the CSV and XLSX downloads stay whole)."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """Page `number` (from 1) of a list of `total` rows, `size` rows a page. A number past the end shows the
    last page, so a link kept from before rows were removed still lands on rows."""

    number: int
    total: int
    size: int = PAGE_SIZE

    @classmethod
    def of(cls, asked: int | None, total: int, size: int = PAGE_SIZE) -> Page:
        pages = max(1, -(-total // size))
        return cls(min(max(asked or 1, 1), pages), total, size)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_row(self) -> int:
        """The 1-based position of the page's first row (0 for an empty list), as "rows 101-200 of 5,000" reads."""
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)

    def window(self, rows: list) -> list:
        """This page's slice of a list held whole."""
        return rows[self.offset:self.offset + self.size]
