"""The PAC catalogue: seeded from public sources, imported from JSON or CSV, versioned."""

from __future__ import annotations

from devstack.pytest_plugin import auth_header

OPERATOR = auth_header("operator", subject="catalogue-editor")


async def test_the_catalogue_is_seeded_imported_and_versioned(start_service):
    _, client = await start_service("deliberation")
    tree = (await client.get("/public/v1/pac")).json()["ambiti"]
    assert [a["title"]["it"] for a in tree] == [
        "Milano sana e inclusiva",
        "Milano connessa e altamente accessibile",
        "Milano a energia positiva",
        "Milano più fresca",
        "Milano consapevole",
    ]
    assert [o["code"] for o in tree[3]["objectives"]] == ["4.1", "4.2"]
    mobility = tree[1]["objectives"][0]
    assert mobility["code"] == "2.1"
    assert [a["code"] for a in mobility["actions"]] == ["2.1.3"]
    assert [a["code"] for a in tree[0]["actions_without_objective"]] == [
        "1.2.1",
        "1.3.1",
        "1.6.1",
        "1.7.1",
    ]
    assert [a["code"] for a in tree[3]["objectives"][1]["actions"]] == ["4.2.1"]

    csv = (
        "code,title_it,title_en\n"
        "4.2.9,Tetti verdi,Green roofs\n"
        "4.2,Raffrescamento urbano e riduzione del fenomeno isola di calore,"
        "Urban cooling and fewer heat islands\n"
        "5.9,Un obiettivo nuovo,A new objective\n"
    )
    imported = await client.post(
        "/v1/pac/import", content=csv, headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 2, "updated": 1, "unchanged": 0}
    again = await client.post(
        "/v1/pac/import", content=csv, headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    revisions = (await client.get("/public/v1/pac/4.2/revisions")).json()
    assert [(r["version"], r["title"]["en"]) for r in revisions] == [
        (1, "Urban cooling and reduction of the “heat island” effect"),
        (2, "Urban cooling and fewer heat islands"),
    ]
    action = (await client.get("/public/v1/pac-actions/4.2.9")).json()
    assert (action["ambito"], action["objective"], action["version"]) == (4, "4.2", 1)

    for body, slug in (
        ({"entries": [{"code": "6.1", "title": {"it": "x", "en": "x"}}]}, "invalid-pac-entry"),
        (
            {
                "entries": [
                    {"code": "4.3", "title": {"it": "a", "en": "a"}},
                    {"code": "4.3", "title": {"it": "b", "en": "b"}},
                ]
            },
            "duplicate-pac-code",
        ),
        ({"entries": [{"code": "4.3", "title": {"it": "", "en": "b"}}]}, "invalid-pac-entry"),
    ):
        refused = await client.post("/v1/pac/import", json=body, headers=OPERATOR)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith(f":{slug}"), refused.text
    assert (await client.get("/public/v1/pac/4.3/revisions")).status_code == 404
    bad_csv = await client.post(
        "/v1/pac/import",
        content="code,title\n4.3,x\n",
        headers={**OPERATOR, "Content-Type": "text/csv"},
    )
    assert bad_csv.status_code == 422
    many_bad = await client.post(
        "/v1/pac/import",
        content="code,title_it,title_en\n6.1,x,x\n4.3,ok,ok\n4.4,,y\n4.5,z,\n",
        headers={**OPERATOR, "Content-Type": "text/csv"},
    )
    assert many_bad.status_code == 422, many_bad.text
    problem = many_bad.json()
    assert [e["row"] for e in problem["errors"]] == [1, 3, 4]  # every bad row, in one pass
    assert problem["row"] == 1
    assert "(3 errors in all)" in problem["detail"]
    added = await client.post(
        "/v1/pac-actions", json={"code": "4.2.7", "title": {"it": "x", "en": "x"}}, headers=OPERATOR
    )
    assert added.status_code == 201, added.text
    twice = await client.post(
        "/v1/pac-actions", json={"code": "4.2.7", "title": {"it": "x", "en": "x"}}, headers=OPERATOR
    )
    assert twice.status_code == 409
    objective_as_action = await client.post(
        "/v1/pac-actions", json={"code": "4.2", "title": {"it": "x", "en": "x"}}, headers=OPERATOR
    )
    assert objective_as_action.status_code == 422
