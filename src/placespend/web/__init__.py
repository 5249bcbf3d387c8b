"""The web app and JSON API (FastAPI): pages for partners, analysts and councillors; no business logic."""
