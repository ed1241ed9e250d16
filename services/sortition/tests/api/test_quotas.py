"""A round's quotas through the API, as JSON and as the Sortition Foundation's CSV."""

from __future__ import annotations

import uuid

from sortition_support import OPERATOR, open_round

from devstack.pytest_plugin import auth_header

QUOTAS = {
    "quotas": [
        {"feature": "gender", "value": "F", "min": 46, "max": 47},
        {"feature": "gender", "value": "M", "min": 43, "max": 44},
        {"feature": "municipio", "value": "M1", "min": 0, "max": 90},
    ]
}


async def test_quotas_round_trip_as_json_and_csv(start_service):
    sortition, round_ = await open_round(start_service)
    url = f"/v1/rounds/{round_['id']}/quotas"
    assert (await sortition.get(url, headers=OPERATOR)).json() == {"quotas": []}

    assert (await sortition.put(url, json=QUOTAS, headers=OPERATOR)).status_code == 428
    saved = await sortition.put(url, json=QUOTAS, headers={**OPERATOR, "If-Match": '"1"'})
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"2"'
    assert saved.json() == QUOTAS

    as_csv = await sortition.get(url, headers={**OPERATOR, "Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text == (
        "feature,value,min,max\ngender,F,46,47\ngender,M,43,44\nmunicipio,M1,0,90\n"
    )
    stale = await sortition.put(
        url,
        content=as_csv.text,
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    assert stale.status_code == 412
    again = await sortition.put(
        url,
        content=as_csv.text,
        headers={**OPERATOR, "If-Match": '"2"', "Content-Type": "text/csv"},
    )
    assert again.status_code == 200
    assert again.json() == QUOTAS
    round_now = await sortition.get(f"/v1/rounds/{round_['id']}", headers=OPERATOR)
    assert round_now.headers["etag"] == '"3"'


async def test_bad_quotas_are_named(start_service):
    sortition, round_ = await open_round(start_service)
    url = f"/v1/rounds/{round_['id']}/quotas"
    headers = {**OPERATOR, "If-Match": '"1"'}

    async def problem(**kwargs) -> str:
        response = await sortition.put(url, **kwargs)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        return response.json()["type"].rsplit(":", 1)[1]

    short = {"quotas": [{"feature": "gender", "value": "F", "min": 0, "max": 40}]}
    assert await problem(json=short, headers=headers) == "quotas-do-not-sum-up"
    twice = {"quotas": [QUOTAS["quotas"][0], QUOTAS["quotas"][0], QUOTAS["quotas"][1]]}
    assert await problem(json=twice, headers=headers) == "duplicate-quota"
    upside_down = {"quotas": [{"feature": "gender", "value": "F", "min": 50, "max": 40}]}
    assert await problem(json=upside_down, headers=headers) == "invalid-quota"
    assert await problem(json={"quotas": [{"feature": "g"}]}, headers=headers) == (
        "validation-failed"
    )
    csv_headers = {**headers, "Content-Type": "text/csv"}
    assert await problem(
        content="feature,value,min,max\ngender,F\r,1,2\n", headers=csv_headers
    ) == ("invalid-quotas-csv")
    # the round and its ETag are checked before the body is read
    bad_csv = "feature,value\n"
    elsewhere = await sortition.put(
        f"/v1/rounds/{uuid.uuid4()}/quotas", content=bad_csv, headers=csv_headers
    )
    assert elsewhere.status_code == 404, elsewhere.text
    unconditional = await sortition.put(
        url, content=bad_csv, headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert unconditional.status_code == 428, unconditional.text
    stale = await sortition.put(url, content=bad_csv, headers={**csv_headers, "If-Match": '"9"'})
    assert stale.status_code == 412, stale.text
    assert await problem(content="feature,value\ng,x\n", headers=csv_headers) == (
        "invalid-quotas-csv"
    )
    assert await problem(content="feature,value,min,max\ng,x,one,2\n", headers=csv_headers) == (
        "invalid-quotas-csv"
    )
    xml = await sortition.put(
        url, content="<quotas/>", headers={**headers, "Content-Type": "application/xml"}
    )
    assert xml.status_code == 415, xml.text
    assert xml.json()["type"].endswith(":unsupported-media-type")
    assert xml.json()["accepted"] == ["application/json", "text/csv"]
    missing = await sortition.put(f"/v1/rounds/{uuid.uuid4()}/quotas", json=QUOTAS, headers=headers)
    assert missing.status_code == 404
    assert (await sortition.get(url, headers=auth_header("member"))).status_code == 403


async def test_quotas_from_census_shares(start_service):
    sortition, round_ = await open_round(start_service)
    url = f"/v1/rounds/{round_['id']}/quotas/from-shares"
    body = {"shares": {"gender": {"F": 51.6, "M": 48.4}}, "tolerance_seats": 1}
    assert (await sortition.post(url, json=body, headers=OPERATOR)).status_code == 428
    made = await sortition.post(url, json=body, headers={**OPERATOR, "If-Match": '"1"'})
    assert made.status_code == 200, made.text
    assert made.json() == {
        "quotas": [
            {"feature": "gender", "value": "F", "min": 45, "max": 48},
            {"feature": "gender", "value": "M", "min": 42, "max": 45},
        ]
    }
    bad = await sortition.post(
        url, json={"shares": {"gender": {"F": 0}}}, headers={**OPERATOR, "If-Match": '"2"'}
    )
    assert bad.status_code == 422
    assert bad.json()["type"].endswith(":invalid-shares")
    # not numbers, or numbers too large to add up: a 422, never a 500
    for shares in (
        '{"gender": {"F": NaN, "M": 1}}',
        '{"gender": {"F": Infinity, "M": 1}}',
        '{"gender": {"F": 1e308, "M": 1e308}}',
        '{"gender": {"F": -1, "M": 1}}',
    ):
        odd = await sortition.post(
            url,
            content=f'{{"shares": {shares}}}',
            headers={**OPERATOR, "If-Match": '"2"', "Content-Type": "application/json"},
        )
        assert odd.status_code == 422, (shares, odd.text)
        assert odd.json()["errors"][0]["location"][:2] == ["body", "shares"], odd.text
