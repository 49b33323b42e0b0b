"""The columnar evaluator: the same law steps as :func:`levyrules.assess`, over a whole
population held as NumPy columns (households, persons, insured periods, statuses), in
exact int64 arithmetic. Needs the ``[batch]`` extra (numpy); nothing here is imported by
``import levyrules``.

facts (engine/members.py ``member_columns``) → 判定日 and who counts → incomes (engine/income.py
``income_columns``) → 軽減 tier and 特定世帯 → for each component the steps of
steps/pipeline.py in column form → the assessment-file columns (population/rows.py) and
期別税額 (collection's column form).
"""
