"""The columnar evaluator: the same law steps as :func:`levyrules.assess`, over a whole
population held as NumPy columns (households, persons, insured periods, statuses), in
exact int64 arithmetic. Needs the ``[batch]`` extra (numpy); nothing here is imported by
``import levyrules``.

facts (engine/members.py ``member_columns``) → 判定日 and who counts → incomes (engine/income.py
``income_columns``) → 軽減 tier and 特定世帯 → for each component the steps of
steps/pipeline.py in column form → the assessment-file columns (population/rows.py) and
期別税額 (collection's column form).
"""


def __getattr__(name):
    """``levyrules.batch.assess_columns`` (the name the docs and the result's sidecar give
    the evaluator), imported on first use so that importing a submodule stays light."""
    if name == "assess_columns":
        from .evaluate import assess_columns
        return assess_columns
    raise AttributeError(f"module 'levyrules.batch' has no attribute {name!r}")
