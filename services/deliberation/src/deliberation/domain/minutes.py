"""The minutes of a session, in Italian and in English, drawn up from the record.

:func:`render` turns a :class:`SessionRecord` (what the session was, who attended, its
agenda items with their amendments and votes) into a Markdown document that the next
plenary approves (until the session closes, a draft that says so). It is deterministic:
the same record gives the same bytes, so the document's SHA-256 identifies it; nothing is
read from a clock, a locale or a database.
Instants are written in Milan's time. The minutes are public: attendance appears as
counts, never as member ids (who was present is in the attendance record, for staff).

Every vote shows everything needed to check its outcome by hand: yes, no, abstain, not
voted, the members entitled, the rule, the base it was applied to and the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from common.dates import MILAN
from common.texts import Text
from deliberation.domain.sessions import Kind
from deliberation.domain.votes import Base, Result

Language = Literal["it", "en"]


class Method(StrEnum):
    SHOW_OF_HANDS = "show_of_hands"  # a tally recorded by the facilitator
    OPEN_BALLOT = "open_ballot"  # ballots cast by members, named
    SECRET_BALLOT = "secret_ballot"  # noqa: S105 (not a password) ballots, secret


class Subject(StrEnum):
    AMENDMENT = "amendment"
    PROPOSAL = "proposal"  # a proposal's final text


@dataclass(frozen=True)
class VoteRecord:
    subject: Subject
    title: Text  # what was put to the vote
    method: Method
    result: Result
    text_sha256: str | None = None  # the wording's hash, shown if the final vote adopts it


@dataclass(frozen=True)
class AmendmentRecord:
    label: str  # as the session knew it: "A1", "Emendamento 3"
    summary: Text  # what it changes: "replaces paragraph 2"
    vote: VoteRecord | None = None  # None: withdrawn or not put to the vote


@dataclass(frozen=True)
class AgendaItem:
    title: Text
    pac_actions: tuple[str, ...] = ()  # codes such as 4.2.1
    amendments: tuple[AmendmentRecord, ...] = ()
    votes: tuple[VoteRecord, ...] = ()  # the final votes, after the amendments


@dataclass(frozen=True)
class SessionRecord:
    title: Text
    kind: Kind
    starts_at: datetime
    ends_at: datetime | None  # when it closed; None: not closed yet, so a draft
    sitting: int  # members sitting on the day (of the group, at a working-group meeting)
    present: int  # members who attended at some point
    place: str | None = None
    online_url: str | None = None
    items: tuple[AgendaItem, ...] = field(default_factory=tuple)


_LABELS: dict[str, dict[Language, str]] = {
    "minutes": {"it": "Verbale", "en": "Minutes"},
    "draft": {"it": "Bozza di verbale", "en": "Draft minutes"},
    "in_progress": {"it": "in corso", "en": "in progress"},
    "kind.plenary": {"it": "Seduta plenaria", "en": "Plenary session"},
    "kind.working_group": {"it": "Riunione del gruppo di lavoro", "en": "Working-group meeting"},
    "date": {"it": "Data", "en": "Date"},
    "place": {"it": "Luogo", "en": "Place"},
    "online": {"it": "Collegamento online", "en": "Online link"},
    "attendance": {"it": "Presenze", "en": "Attendance"},
    "sitting": {"it": "Componenti in carica", "en": "Sitting members"},
    "present": {"it": "Hanno partecipato", "en": "Attended"},
    "agenda": {"it": "Ordine del giorno", "en": "Agenda"},
    "pac": {"it": "Azioni del PAC", "en": "PAC actions"},
    "amendments": {"it": "Emendamenti", "en": "Amendments"},
    "not_voted_on": {"it": "Non posto in votazione.", "en": "Not put to the vote."},
    "vote": {"it": "Votazione", "en": "Vote"},
    "method.show_of_hands": {"it": "per alzata di mano", "en": "by show of hands"},
    "method.open_ballot": {"it": "a scrutinio palese", "en": "by open ballot"},
    "method.secret_ballot": {"it": "a scrutinio segreto", "en": "by secret ballot"},
    "yes": {"it": "Favorevoli", "en": "Yes"},
    "no": {"it": "Contrari", "en": "No"},
    "abstain": {"it": "Astenuti", "en": "Abstain"},
    "not_voted": {"it": "Non votanti", "en": "Did not vote"},
    "entitled": {"it": "Aventi diritto al voto", "en": "Entitled to vote"},
    "rule": {"it": "Maggioranza richiesta", "en": "Majority required"},
    "base": {"it": "Base di calcolo", "en": "Base"},
    "threshold": {"it": "Soglia", "en": "Threshold"},
    "outcome": {"it": "Esito", "en": "Outcome"},
    "sha256": {"it": "SHA-256 del testo approvato", "en": "SHA-256 of the adopted text"},
    "none": {"it": "nessuno", "en": "none"},
    "no_items": {"it": "Nessun punto all'ordine del giorno.", "en": "No agenda items."},
}

_BASES: dict[Base, dict[Language, str]] = {
    Base.PRESENT: {
        "it": "presenti all'apertura della votazione",
        "en": "members present when the vote opened",
    },
    Base.CAST: {"it": "voti espressi, astenuti compresi", "en": "votes cast, abstentions included"},
    Base.YES_NO: {"it": "voti favorevoli e contrari", "en": "yes and no votes"},
}

# The outcome agrees in gender with what was voted on: la proposta, l'emendamento.
_OUTCOMES: dict[tuple[Subject, bool], dict[Language, str]] = {
    (Subject.PROPOSAL, True): {"it": "Approvata", "en": "Adopted"},
    (Subject.PROPOSAL, False): {"it": "Respinta", "en": "Rejected"},
    (Subject.AMENDMENT, True): {"it": "Approvato", "en": "Adopted"},
    (Subject.AMENDMENT, False): {"it": "Respinto", "en": "Rejected"},
}

_MONTHS: dict[Language, tuple[str, ...]] = {
    "it": (
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _md(text: str) -> str:
    """Text a person wrote, as Markdown shows it: its markup characters escaped, one line."""
    return " ".join(text.split()).translate(_MARKDOWN)


def _day(at: datetime, lang: Language) -> str:
    local = at.astimezone(MILAN)
    return f"{local.day} {_MONTHS[lang][local.month - 1]} {local.year}"  # 16 marzo 2024


def _period(start: datetime, end: datetime | None, lang: Language) -> str:
    a = start.astimezone(MILAN)
    if end is None:
        return f"{_day(a, lang)}, {a:%H:%M} – {_LABELS['in_progress'][lang]}"
    b = end.astimezone(MILAN)
    if a.date() == b.date():
        return f"{_day(a, lang)}, {a:%H:%M}–{b:%H:%M}"
    return f"{_day(a, lang)}, {a:%H:%M} – {_day(b, lang)}, {b:%H:%M}"


def _rule(result: Result, lang: Language) -> str:
    r = result.rule
    share = f"{r.numerator}/{r.denominator}"
    of = "dei" if lang == "it" else "of the"
    version = "regole, versione" if lang == "it" else "rules, version"
    return f"{share} {of} {_BASES[r.base][lang]} ({version} {r.version})"


def _vote(vote: VoteRecord, lang: Language, heading: str) -> Iterable[str]:
    result = vote.result
    text = getattr(vote.title, lang)
    label = _LABELS

    def line(key: str, value: object) -> str:
        return f"- {label[key][lang]}: {value}"

    yield f"{heading} {label['vote'][lang]} {label['method.' + vote.method][lang]}: {_md(text)}"
    yield ""
    yield line("entitled", result.entitled)
    yield line("yes", result.yes)
    yield line("no", result.no)
    yield line("abstain", result.abstain)
    yield line("not_voted", result.not_voted)
    yield line("rule", _rule(result, lang))
    yield line("base", f"{result.base} ({_BASES[result.rule.base][lang]})")
    yield line("threshold", result.threshold)
    yield f"- **{label['outcome'][lang]}: {_OUTCOMES[(vote.subject, result.adopted)][lang]}**"
    if vote.text_sha256 and result.adopted:
        yield line("sha256", f"`{vote.text_sha256}`")
    yield ""


def render(record: SessionRecord, lang: Language) -> str:
    """The minutes of ``record`` in ``lang`` (``"it"`` or ``"en"``), as Markdown."""
    label = _LABELS
    out: list[str] = [
        f"# {label['minutes' if record.ends_at else 'draft'][lang]}: "
        f"{_md(getattr(record.title, lang))}",
        "",
        f"- {label['kind.' + record.kind][lang]}",
        f"- {label['date'][lang]}: {_period(record.starts_at, record.ends_at, lang)}",
    ]
    if record.place:
        out.append(f"- {label['place'][lang]}: {_md(record.place)}")
    if record.online_url:
        out.append(f"- {label['online'][lang]}: <{record.online_url}>")
    out += [
        "",
        f"## {label['attendance'][lang]}",
        "",
        f"- {label['sitting'][lang]}: {record.sitting}",
        f"- {label['present'][lang]}: {record.present}",
        "",
        f"## {label['agenda'][lang]}",
        "",
    ]
    if not record.items:
        out += [label["no_items"][lang], ""]
    for number, item in enumerate(record.items, start=1):
        out += [f"### {number}. {_md(getattr(item.title, lang))}", ""]
        if item.pac_actions:
            out += [f"{label['pac'][lang]}: {', '.join(_md(c) for c in item.pac_actions)}", ""]
        if item.amendments:
            out += [f"#### {label['amendments'][lang]}", ""]
            for amendment in item.amendments:
                summary = _md(getattr(amendment.summary, lang))
                out += [f"**{_md(amendment.label)}**: {summary}", ""]
                if amendment.vote is None:
                    out += [label["not_voted_on"][lang], ""]
                else:
                    out += _vote(amendment.vote, lang, "#####")
        for vote in item.votes:
            out += _vote(vote, lang, "####")
    return "\n".join(out).rstrip("\n") + "\n"
