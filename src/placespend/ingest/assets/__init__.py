"""Readers for partners' asset registers (DESIGN.md §7, Assets): the Transparency Code's land and buildings file
and the template's Assets sheet. They read files only; storing a register is the engine's job."""
