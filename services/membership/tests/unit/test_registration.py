"""What a registration may declare: the round's features and values, Milan's Municipi."""

import pytest


def test_registration_features_are_the_rounds():
    from common.errors import Invalid as Refused
    from membership.service.registration import _check_features

    base = {"gender": "F", "citizenship": "IT", "municipio": "M3"}
    asked = {"gender": ["F", "M"], "age_band": ["16-29", "30-59", "60+"]}
    assert _check_features(base, asked, age=45)["age_band"] == "30-59"
    assert _check_features(base, {}, age=45) == base
    for features, slug in (
        ({**base, "municipio": "M12"}, "unknown-feature-value"),  # no round list: Milan's nine
        ({**base, "gender": "X"}, "unknown-feature-value"),
        ({"gender": "F", "citizenship": "IT"}, "missing-feature"),
        ({**base, "religion": "none"}, "unknown-feature"),
    ):
        with pytest.raises(Refused) as refused:
            _check_features(features, asked, age=45)
        assert refused.value.slug == slug
    with pytest.raises(Refused):
        _check_features(base, {"age_band": ["16-29"]}, age=45)  # in no band of the round
