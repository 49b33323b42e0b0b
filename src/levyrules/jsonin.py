"""Reading household and assessment JSON text (入力の JSON): one reader for the
command line and for `Household.from_json(str | bytes)`.

Bad text is an InputError naming where it broke, never the text itself.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import InputError


def parse(text: str | bytes | bytearray, source: str = "", field: str = "") -> Any:
    """The JSON value of `text` (UTF-8 when bytes); `source` names it in messages."""
    where = f"{source}: " if source else ""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(field, f"{where}not UTF-8 text (byte {e.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(field, f"{where}not valid JSON at line {e.lineno} column {e.colno}: "
                                f"{e.msg}") from None
    except RecursionError:
        raise InputError(field, f"{where}JSON nested too deep") from None
    except ValueError:     # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise InputError(field, f"{where}a number in the JSON has too many digits") from None
