"""Run the Sortition Foundation's ``sortition-algorithms`` on one instance; print JSON.

Runs in its own environment (see run.py), never in the project's: it is not a dependency.
``python reference.py PEOPLE CATEGORIES K ALGORITHM BACKEND [HOUSEHOLD_COLUMN]``
"""

import json
import sys
import time
from pathlib import Path

from sortition_algorithms.adapters import CSVStringDataSource, SelectionData
from sortition_algorithms.committee_generation import (
    find_distribution_leximin,
    find_distribution_maximin,
)
from sortition_algorithms.settings import Settings


def main() -> None:
    people, categories, k, algorithm, backend = sys.argv[1:6]
    household = sys.argv[6] if len(sys.argv) > 6 else None
    k = int(k)
    data = SelectionData(
        CSVStringDataSource(Path(categories).read_text(), Path(people).read_text())
    )
    features, _ = data.load_features(k)
    columns = [household] if household else []
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        check_same_address=bool(household),
        check_same_address_columns=columns,
    )
    pool, _ = data.load_people(settings, features)
    find = {"leximin": find_distribution_leximin, "maximin": find_distribution_maximin}[algorithm]
    started = time.perf_counter()
    committees, probabilities, _ = find(features, pool, k, columns, solver_backend=backend)
    seconds = time.perf_counter() - started
    marginals = dict.fromkeys(pool, 0.0)
    for committee, p in zip(committees, probabilities, strict=True):
        for person in committee:
            marginals[person] += p
    print(json.dumps({"seconds": seconds, "profile": sorted(marginals.values())}))


if __name__ == "__main__":
    main()
