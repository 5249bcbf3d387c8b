"""Suppliers in partners' transaction spend files: payments (read by the spend reader), names folded to keys,
and registered identifiers checked. Pure readers: the workspace is the app's business."""
