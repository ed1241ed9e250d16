"""The PAC catalogue: ambiti and objectives beside the actions, every title versioned,
and the entries known from public sources seeded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "deliberation"

#: From the Piano Aria e Clima as the Comune di Milano published it (2020, approved by the
#: Consiglio comunale in 2022); the English titles are ours. Further entries come by
#: ``POST /v1/pac/import``.
AMBITI = {
    1: ("Milano sana e inclusiva", "A healthy and inclusive Milan"),
    2: ("Milano connessa e altamente accessibile", "A connected and highly accessible Milan"),
    3: ("Milano a energia positiva", "A positive-energy Milan"),
    4: ("Milano più fresca", "A cooler Milan"),
    5: ("Milano consapevole", "An aware Milan"),
}
OBJECTIVES = {
    "1.4": (
        "Azioni finalizzate al contenimento del fenomeno di risollevamento delle polveri",
        "Actions to curb the re-suspension of dust",
    ),
    "2.1": (
        "Riduzione netta della mobilità personale motorizzata a uso privato",
        "A net reduction of private motorised travel",
    ),
    "4.1": (
        "Implementazione e monitoraggio del processo di adattamento ai cambiamenti climatici",
        "Implementing and monitoring the adaptation to climate change",
    ),
    "4.2": (
        "Raffrescamento urbano e riduzione del fenomeno “isola di calore”",
        "Urban cooling and reduction of the “heat island” effect",
    ),
}
#: Titles ending in "…" are as the consultation's public lists print them, cut short; an
#: import with the whole title makes the next version.
ACTIONS = {
    "1.2.1": (
        "Sistemi avanzati di misurazione multiparametrica della qualità dell’aria per verificare…",
        "Advanced multi-parameter air-quality measurement systems to verify…",
    ),
    "1.3.1": (
        "Interventi di protezione degli ambiti sensibili esistenti dall’esposizione al traffico…",
        "Protecting existing sensitive places from exposure to traffic…",
    ),
    "1.6.1": (
        "Studio di fattibilità per la costituzione di un fondo per l’aria (Air Quality Fund)",
        "Feasibility study for an Air Quality Fund",
    ),
    "1.7.1": (
        "Dotare l’Amministrazione di un programma d’azione per l’economia circolare",
        "A circular-economy action programme for the Administration",
    ),
    "2.1.3": (
        "Accordi con Enti sovracomunali per il miglioramento del trasporto gravitante su Milano…",
        "Agreements with supra-municipal bodies to improve the transport converging on Milan…",
    ),
    "3.3.1": (
        "Strategie di efficientamento energetico del patrimonio edilizio privato",
        "Energy-efficiency strategies for the private building stock",
    ),
    "4.2.1": (
        "Interventi di forestazione urbana e incremento di superfici verdi",
        "Urban forestation and more green surfaces",
    ),
    "4.3.2": (
        "Riduzione del rischio idraulico e diminuzione dell’afflusso d’acqua piovana alla "
        "rete fognaria",
        "Reducing flood risk and the stormwater flowing into the sewers",
    ),
}


def _created() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "pac_ambiti",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_created(),
        sa.CheckConstraint("number BETWEEN 1 AND 5", name=op.f("ck_pac_ambiti_ambito_range")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_pac_ambiti")),
        schema=SCHEMA,
    )
    op.create_table(
        "pac_objectives",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("ambito", sa.Integer(), nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_created(),
        sa.ForeignKeyConstraint(
            ["ambito"],
            [f"{SCHEMA}.pac_ambiti.number"],
            name=op.f("fk_pac_objectives_ambito_pac_ambiti"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_pac_objectives")),
        schema=SCHEMA,
    )
    op.create_table(
        "pac_revisions",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_pac_revisions")),
        schema=SCHEMA,
    )
    op.add_column("pac_actions", sa.Column("objective", sa.Text(), nullable=True), schema=SCHEMA)
    op.execute(
        f"UPDATE {SCHEMA}.pac_actions "
        "SET objective = split_part(code, '.', 1) || '.' || split_part(code, '.', 2)"
    )
    op.alter_column("pac_actions", "objective", nullable=False, schema=SCHEMA)

    def title(it: str, en: str) -> str:
        return json.dumps({"it": it, "en": en}, ensure_ascii=False)

    bind = op.get_bind()
    for number, (it, en) in AMBITI.items():
        bind.execute(
            sa.text(
                f"INSERT INTO {SCHEMA}.pac_ambiti (number, title, version) "
                "VALUES (:n, CAST(:t AS jsonb), 1)"
            ),
            {"n": number, "t": title(it, en)},
        )
    for code, (it, en) in OBJECTIVES.items():
        bind.execute(
            sa.text(
                f"INSERT INTO {SCHEMA}.pac_objectives (code, ambito, title, version) "
                "VALUES (:c, :a, CAST(:t AS jsonb), 1)"
            ),
            {"c": code, "a": int(code.split(".")[0]), "t": title(it, en)},
        )
    for code, (it, en) in ACTIONS.items():
        bind.execute(
            sa.text(
                f"INSERT INTO {SCHEMA}.pac_actions (id, code, ambito, objective, title, version) "
                "VALUES (gen_random_uuid(), :c, :a, :o, CAST(:t AS jsonb), 1) "
                "ON CONFLICT (code) DO NOTHING"
            ),
            {
                "c": code,
                "a": int(code.split(".")[0]),
                "o": ".".join(code.split(".")[:2]),
                "t": title(it, en),
            },
        )
    levels = (("ambito", {str(k): v for k, v in AMBITI.items()}), ("objective", OBJECTIVES))
    for level, entries in (*levels, ("action", ACTIONS)):
        for code, (it, en) in entries.items():
            bind.execute(
                sa.text(
                    f"INSERT INTO {SCHEMA}.pac_revisions (code, version, level, title, "
                    "changed_by) SELECT :c, 1, :l, CAST(:t AS jsonb), 'seed' "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA}.pac_revisions WHERE code = :c)"
                ),
                {"c": code, "l": level, "t": title(it, en)},
            )


def downgrade() -> None:
    op.drop_column("pac_actions", "objective", schema=SCHEMA)
    op.drop_table("pac_revisions", schema=SCHEMA)
    op.drop_table("pac_objectives", schema=SCHEMA)
    op.drop_table("pac_ambiti", schema=SCHEMA)
