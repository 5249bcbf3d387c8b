"""JSON API for customer insight: sharing (DESIGN.md §7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/insight", tags=["insight"])
