"""The `placespend` command line: argument parsing and printing only; the work is done below."""
