"""The process as shipped with the product: Table 4-1 (``data/rm_raci.csv``), Table 4-2
(``data/rm_communications.csv``) and the activities of section 4.4
(``data/rm_activities.json``). Plain readers, no models: migrations and model
``Meta`` use them too."""

import csv
import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LETTERS = "RACI"


def normalise_letters(cell: str) -> str:
    """A RACI cell is a set of letters: "AR" and "RA" are the same; kept as "RA"."""
    cell = (cell or "").strip().upper()
    unknown = set(cell) - set(LETTERS)
    if unknown:
        raise ValueError(f"Unknown RACI letter(s): {''.join(sorted(unknown))}")
    return "".join(letter for letter in LETTERS if letter in cell)


@cache
def raci_table() -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of Table 4-1 exactly as the data file holds it."""
    with open(DATA_DIR / "rm_raci.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def party_names() -> list[str]:
    header, _ = raci_table()
    return header[2:]


@cache
def activities() -> list[dict]:
    """The 24 activities of section 4.4: code, name, stage, stage_name, description."""
    with open(DATA_DIR / "rm_activities.json", encoding="utf-8") as fh:
        return json.load(fh)


def perform_codename(code: str) -> str:
    """Permission codename for performing an activity: RM.4.1 -> perform_rm_4_1."""
    return "perform_" + code.lower().replace(".", "_")


def perform_permissions() -> list[tuple[str, str]]:
    """One object permission per activity, declared on ``Release.Meta``."""
    return [(perform_codename(a["code"]), f"Perform {a['code']} {a['name']}") for a in activities()]


@cache
def communications() -> list[dict[str, str]]:
    """Table 4-2: the communication interfaces with the DG TAXUD business threads."""
    with open(DATA_DIR / "rm_communications.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
