"""Comparing what two engines give: terms by value where the stores keep values."""

from __future__ import annotations

from decimal import Decimal

from rdflib import Literal


def term_key(term):
    """Oxigraph stores numbers in canonical form (21750000000.0 -> 21750000000): compare values."""
    if isinstance(term, Literal):
        value = term.value
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return ("number", Decimal(str(value)), str(term.datatype))
        return ("literal", str(term), term.language, str(term.datatype or ""))
    return str(term)
