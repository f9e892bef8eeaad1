"""Any callback data, parsed by every button family (Hypothesis): parse never raises, and it
accepts only what the family's pack could have produced (a modified client may send anything)."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pes21_bot import buttons
from pes21_bot.buttons import SEPARATOR, Button, Id

families = st.sampled_from(buttons.FAMILIES)
# Field texts near what the families hold: digits of every script, signs, codes, separators.
fields = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789²³¹٣۵०൧", min_size=1, max_size=25),
    st.text(alphabet="0123456789", min_size=18, max_size=40),
    st.sampled_from(["0", "00", "007", "-1", "+1", " 1", "1 ", "1_000", "yes", "no", "", "é"]),
)


@given(
    family=families,
    parts=st.lists(fields, max_size=5),
    raw=st.text(max_size=80),
)
def test_parse_accepts_only_what_pack_produces(family: Button, parts: list[str], raw: str) -> None:
    for data in (SEPARATOR.join([family.prefix, *parts]), f"{family.prefix}{SEPARATOR}{raw}", raw):
        values = family.parse(data)
        if values is not None:
            assert family.pack(*values) == data


@pytest.mark.parametrize("data", ["hw:²", "hw:٣", "hw:007", "hw:1:2", "hw:" + "9" * 40, "hw:"])
def test_the_write_button_refuses_forged_numbers(data: str) -> None:
    assert buttons.WRITE_TEAM.parse(data) is None


def test_a_superscript_digit_in_a_number_field_does_not_parse() -> None:
    for family in buttons.FAMILIES:
        for index, field in enumerate(family.fields):
            if isinstance(field, Id):
                texts = [f.longest() for f in family.fields]
                texts[index] = "²"
                assert family.parse(SEPARATOR.join([family.prefix, *texts])) is None


@pytest.mark.parametrize("family", buttons.FAMILIES, ids=lambda f: f.prefix)
def test_every_family_parses_to_its_own_named_fields(family: Button) -> None:
    """Each family's parse gives a NamedTuple with one typed name per field (issue 21)."""
    result = family.result
    assert result is not None, f"{family.prefix}: give the family its NamedTuple"
    names = getattr(result, "_fields", ())
    assert len(names) == len(family.fields), family.prefix
    hints = typing.get_type_hints(result)
    for name, field in zip(names, family.fields, strict=True):
        assert hints[name] is (int if isinstance(field, Id) else str), (family.prefix, name)
    parsed = family.parse(family.longest())
    assert isinstance(parsed, tuple) and type(parsed) is result
    assert family.pack(*parsed) == family.longest()
