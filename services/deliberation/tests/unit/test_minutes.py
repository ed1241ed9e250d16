"""The minutes, in Italian and English, from a session's record."""

from datetime import UTC, datetime

import pytest

from common.texts import Text
from deliberation.domain.minutes import (
    AgendaItem,
    AmendmentRecord,
    Method,
    SessionRecord,
    Subject,
    VoteRecord,
    render,
)
from deliberation.domain.sessions import Kind
from deliberation.domain.votes import TWO_THIRDS_OF_PRESENT, Base, Rule, Tally, evaluate

FINAL = VoteRecord(
    subject=Subject.PROPOSAL,
    title=Text(it="Tetti verdi: testo finale", en="Green roofs: final text"),
    method=Method.SECRET_BALLOT,
    result=evaluate(TWO_THIRDS_OF_PRESENT, Tally(40, 15, 4), entitled=59),
    text_sha256="ab" * 32,
)
AMENDMENT = AmendmentRecord(
    label="A1",
    summary=Text(it="Sostituisce il paragrafo 2", en="Replaces paragraph 2"),
    vote=VoteRecord(
        subject=Subject.AMENDMENT,
        title=Text(it="Emendamento A1", en="Amendment A1"),
        method=Method.SHOW_OF_HANDS,
        result=evaluate(Rule(base=Base.CAST, version=2), Tally(20, 30, 5), entitled=59),
    ),
)
RECORD = SessionRecord(
    title=Text(it="Quinta plenaria", en="Fifth plenary"),
    kind=Kind.PLENARY,
    starts_at=datetime(2024, 3, 16, 8, 30, tzinfo=UTC),
    ends_at=datetime(2024, 3, 16, 12, 0, tzinfo=UTC),
    sitting=90,
    present=60,
    place="Palazzo Marino, Sala Alessi",
    items=(
        AgendaItem(
            title=Text(it="Tetti verdi", en="Green roofs"),
            pac_actions=("4.2.1",),
            amendments=(
                AMENDMENT,
                AmendmentRecord("A2", Text(it="Ritirato", en="Withdrawn")),
            ),
            votes=(FINAL,),
        ),
    ),
)


def test_the_italian_minutes_speak_italian():
    text = render(RECORD, "it")
    assert text.startswith("# Verbale: Quinta plenaria\n")
    for expected in [
        "- Seduta plenaria",
        "- Data: 16 marzo 2024, 09:30–13:00",  # Milan's time
        "- Luogo: Palazzo Marino, Sala Alessi",
        "- Componenti in carica: 90",
        "- Hanno partecipato: 60",
        "#### Votazione a scrutinio segreto: Tetti verdi: testo finale",
        "- Aventi diritto al voto: 59",
        "- Favorevoli: 40",
        "- Contrari: 15",
        "- Astenuti: 4",
        "- Non votanti: 0",
        "- Maggioranza richiesta: 2/3 dei presenti all'apertura della votazione "
        "(regole, versione 1)",
        "- Base di calcolo: 59 (presenti all'apertura della votazione)",
        "- Soglia: 40",
        "- **Esito: Approvata**",
        f"- SHA-256 del testo approvato: `{'ab' * 32}`",
        "Azioni del PAC: 4.2.1",
        "**A1**: Sostituisce il paragrafo 2",
        "##### Votazione per alzata di mano: Emendamento A1",
        "- Base di calcolo: 55 (voti espressi, astenuti compresi)",
        "- Soglia: 37",
        "- **Esito: Respinto**",
        "Non posto in votazione.",
    ]:
        assert expected in text, expected


def test_the_english_minutes_carry_the_same_figures():
    text = render(RECORD, "en")
    assert text.startswith("# Minutes: Fifth plenary\n")
    for expected in [
        "- Date: 16 March 2024, 09:30–13:00",
        "- Attended: 60",
        "- Yes: 40",
        "- No: 15",
        "- Abstain: 4",
        "- Base: 59 (members present when the vote opened)",
        "- Threshold: 40",
        "- Majority required: 2/3 of the members present when the vote opened (rules, version 1)",
        "- **Outcome: Adopted**",
        "- Base: 55 (votes cast, abstentions included)",
        "- **Outcome: Rejected**",
    ]:
        assert expected in text, expected


def test_a_rejected_text_has_no_adopted_hash():
    rejected = VoteRecord(
        subject=Subject.PROPOSAL,
        title=FINAL.title,
        method=Method.SHOW_OF_HANDS,
        result=evaluate(TWO_THIRDS_OF_PRESENT, Tally(39, 16, 4), entitled=59),
        text_sha256="cd" * 32,
    )
    item = AgendaItem(title=Text(it="Tetti verdi", en="Green roofs"), votes=(rejected,))
    text = render(SessionRecord(**{**vars(RECORD), "items": (item,)}), "it")
    assert "- **Esito: Respinta**" in text
    assert "cd" * 32 not in text
    assert "SHA-256" not in text


def test_minutes_before_the_close_are_a_draft_and_say_so():
    open_ = SessionRecord(**{**vars(RECORD), "ends_at": None})
    it, en = render(open_, "it"), render(open_, "en")
    assert it.startswith("# Bozza di verbale: Quinta plenaria\n")
    assert "- Data: 16 marzo 2024, 09:30 – in corso" in it
    assert en.startswith("# Draft minutes: Fifth plenary\n")
    assert "- Date: 16 March 2024, 09:30 – in progress" in en


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_minutes_are_the_same_bytes_each_time(lang):
    assert render(RECORD, lang) == render(RECORD, lang)
    assert render(RECORD, lang).endswith("\n")


def test_markup_in_a_title_is_shown_not_obeyed():
    record = SessionRecord(
        title=Text(it="Gruppo *mobilità* # 2", en="Group <b>mobility</b>"),
        kind=Kind.WORKING_GROUP,
        starts_at=datetime(2024, 3, 20, 17, 0, tzinfo=UTC),
        ends_at=datetime(2024, 3, 21, 0, 30, tzinfo=UTC),
        sitting=12,
        present=0,
        online_url="https://meet.example.org/gl-mobilita",
    )
    it = render(record, "it")
    assert "# Verbale: Gruppo \\*mobilità\\* \\# 2" in it
    assert "- Riunione del gruppo di lavoro" in it
    assert "- Data: 20 marzo 2024, 18:00 – 21 marzo 2024, 01:30" in it
    assert "- Collegamento online: <https://meet.example.org/gl-mobilita>" in it
    assert "- Hanno partecipato: 0" in it
    assert "Nessun punto all'ordine del giorno." in it
    assert "Group \\<b\\>mobility\\</b\\>" in render(record, "en")
