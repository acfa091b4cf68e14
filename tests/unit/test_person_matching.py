"""Reading the search box and ranking candidates: no database, just the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.people.name_match import SIMILAR, Candidate, could_match, rank, readings
from joinedup.people.name_similarity import damerau_levenshtein, jaro, jaro_winkler
from joinedup.people.search import sound_conditions
from joinedup.people.search_query import SearchQuery, normalise_postcode, parse_query
from joinedup.record.name_sounds import fold, soundex, typo_sounds

TODAY = dt.date(2025, 6, 1)
BIRTH = dt.date(1938, 2, 11)


def parse(text: str) -> SearchQuery:
    return parse_query(text, today=TODAY)


# --- similarity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Published values (Winkler 1990; the usual worked examples).
        ("MARTHA", "MARHTA", 0.961),
        ("DWAYNE", "DUANE", 0.840),
        ("DIXON", "DICKSONX", 0.813),
        ("SMITH", "SMITH", 1.0),
        ("SMITH", "", 0.0),
        ("ABC", "XYZ", 0.0),
    ],
)
def test_jaro_winkler_known_values(a: str, b: str, expected: float) -> None:
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=0.001)
    assert jaro_winkler(b, a) == pytest.approx(expected, abs=0.001)


def test_jaro_without_the_prefix_bonus() -> None:
    assert jaro("MARTHA", "MARHTA") == pytest.approx(0.944, abs=0.001)
    assert jaro_winkler("KOHN", "JOHN") == jaro("KOHN", "JOHN")  # no shared first letter


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("JOHN", "JOHN", 0),
        ("JHON", "JOHN", 1),  # a swap is one edit
        ("SMYTH", "SMITH", 1),
        ("JONSEN", "JOHNSON", 2),
        ("", "ABC", 3),
        ("KITTEN", "SITTING", 3),
    ],
)
def test_damerau_levenshtein(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance
    assert damerau_levenshtein(b, a) == distance


@given(st.text("ABEHJMNORST", min_size=2, max_size=9), st.text("ABEHJMNORST", max_size=9))
def test_the_shortcut_never_rejects_a_match(typed: str, name: str) -> None:
    """could_match only skips pairs that neither Jaro-Winkler nor the edit distance accepts."""
    for allowed in (1, 2):
        if not could_match(typed, name, allowed):
            assert jaro_winkler(typed, name) < SIMILAR
            assert damerau_levenshtein(typed, name) > allowed


# --- reading the query -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 4765919 "])
def test_nhs_number_with_spaces_or_dashes(typed: str) -> None:
    query = parse(typed)
    assert query.nhs_number == "9434765919"
    assert query.errors == () and query.searchable


def test_invalid_check_digit_named() -> None:
    query = parse("943 476 5918")
    assert query.errors == (
        "943 476 5918 is not a valid NHS number: its check digit does not match",
    )
    assert not query.searchable and not query.nhs_number


def test_nine_digits_that_can_have_no_check_digit() -> None:
    (error,) = parse("999 123 4560").errors  # 999123456 sums to a check digit of 10
    assert error.startswith("999 123 4560 is not a valid NHS number: no NHS number can start")


@pytest.mark.parametrize(("typed", "digits"), [("943 476 591", 9), ("94347659191", 11)])
def test_wrong_number_of_digits(typed: str, digits: int) -> None:
    assert parse(typed).errors == (
        f"{typed} is not an NHS number: it has {digits} digits and an NHS number has 10",
    )


@pytest.mark.parametrize(
    "typed",
    [
        "11/02/1938",
        "11/2/1938",
        "11-02-1938",
        "11.02.1938",
        "1938-02-11",
        "11 Feb 1938",
        "11 february 1938",
        "11th Feb. 1938",
        "11 02 1938",
    ],
)
def test_dates_of_birth(typed: str) -> None:
    query = parse(typed)
    assert query.birth_date == BIRTH, typed
    assert query.searchable  # a date of birth alone is allowed (capped)


def test_day_before_month() -> None:
    assert parse("1/2/1938").birth_date == dt.date(1938, 2, 1)
    assert parse("1 Feb 1938").birth_date == dt.date(1938, 2, 1)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("31/02/1938", "31/02/1938 is not a real date: check the day and month"),
        ("02/13/1938", "02/13/1938 is not a real date: check the day and month"),
        ("1/1/2030", "1/1/2030 is in the future: check the date of birth"),
        ("11/02/38", "Write the year of 11/02/38 in full, like 11/02/1938"),
        ("1/1/1700", "1/1/1700 is too long ago to be a date of birth: check the year"),
    ],
)
def test_impossible_dates(typed: str, error: str) -> None:
    assert parse(typed).errors == (error,)


@pytest.mark.parametrize("typed", ["CX1 5AB", "cx1 5ab", "CX15AB", "cx15ab", " Cx1  5aB "])
def test_postcodes(typed: str) -> None:
    query = parse(typed)
    assert query.postcode == "CX1 5AB"
    assert query.searchable


@pytest.mark.parametrize(
    ("typed", "postcode"),
    [("EC1A 1BB", "EC1A 1BB"), ("w1a0ax", "W1A 0AX"), ("M1 1AE", "M1 1AE"), ("B33 8TH", "B33 8TH")],
)
def test_postcode_shapes(typed: str, postcode: str) -> None:
    assert parse(typed).postcode == postcode
    assert normalise_postcode(typed) == postcode


def test_half_a_postcode_is_explained() -> None:
    assert parse("John Smith CX1").errors == (
        "CX1 looks like part of a postcode: enter the full postcode, like CX1 5AB",
    )


def test_name_with_date_of_birth_and_postcode() -> None:
    query = parse("Smith, John 11/02/1938 CX1 5AB")
    assert query.names == ("Smith", "John")
    assert query.words == ("SMITH", "JOHN")
    assert query.birth_date == BIRTH
    assert query.postcode == "CX1 5AB"
    assert query.searchable


def test_names_with_punctuation_and_accents() -> None:
    query = parse("Zoë O'Brien-Smith J.")
    assert query.names == ("Zoë", "O'Brien-Smith", "J")
    assert query.words == ("ZOE", "OBRIENSMITH", "J")
    assert fold("Zoë") == "ZOE"


def test_a_month_name_alone_is_a_name() -> None:
    query = parse("May Smith 1 May 1938")
    assert query.names == ("May", "Smith")
    assert query.birth_date == dt.date(1938, 5, 1)


def test_empty_and_too_short() -> None:
    assert parse("   ").blank and not parse("").searchable and parse("").guidance == ""
    only_family = parse("Smith")
    assert not only_family.searchable
    assert "alone matches too many people" in only_family.guidance
    assert not parse("J S").searchable
    assert parse("J Smith").searchable  # an initial and a family name will do
    assert parse("Smith 11/02/1938").searchable


def test_more_than_one_of_a_kind_is_refused() -> None:
    assert parse("11/02/1938 12/02/1938").errors == ("Enter one date of birth (the search has 2)",)
    assert parse("11/02/1938 1938-02-11").errors == ()  # the same date twice is one date


def test_unreadable_words_and_long_queries() -> None:
    assert parse("John #5").errors[0].startswith("We could not read “#5”")
    assert parse("12 Smith").errors[0].startswith("We could not read “12”")
    assert parse("a" * 201).errors == ("The search is too long: use at most 200 characters",)
    assert parse("a b c d e").errors == ("Enter at most 4 names (the search has 5)",)
    assert parse("John " + "x" * 51).errors == (f"“{'x' * 20}…” is too long for a name: check it",)


# --- ranking ---------------------------------------------------------------------------


def person(pid: str, given: str, family: str, birth: dt.date = BIRTH, **kw: str) -> Candidate:
    return Candidate(
        id=pid,
        given_name=given,
        family_name=family,
        birth_date=birth,
        postcode=kw.get("postcode", "CX1 5AB"),
        nhs_number=kw.get("nhs_number"),
        practice="Abbey Road Surgery",
    )


PEOPLE = [
    person("exact", "John", "Smith"),
    person("smyth", "Jon", "Smyth"),
    person("swapped", "Smith", "John"),
    person("kohn", "Kohn", "Smith"),
    person("jean", "Jean", "Smith"),
    person("brown", "John", "Brown"),
    person("older", "John", "Smith", dt.date(1920, 1, 1), postcode="CX9 9ZZ"),
    person("double", "Jane", "Smith-Jones"),
    person("desouza", "Mary Ann", "De Souza"),
]


def ids(text: str, people: list[Candidate] = PEOPLE) -> list[str]:
    return [m.person.id for m in rank(parse(text), people)]


def test_exact_matches_first_then_closest() -> None:
    ranked = rank(parse("John Smith"), PEOPLE)
    assert [m.person.id for m in ranked[:3]] == ["older", "exact", "swapped"]  # then by birth
    assert all(m.exact for m in ranked[:3]) and not any(m.exact for m in ranked[3:])
    assert {m.person.id for m in ranked[3:]} == {"kohn", "smyth"}
    assert "brown" not in ids("John Smith")  # a different family name is not a typo
    assert "jean" not in ids("John Smith")  # two letters of four wrong is too many


def test_typos_one_or_two_letters() -> None:
    assert ids("Jhon Smith")[0] in {"exact", "older"}
    assert ids("Jhon Smyth")[0] == "smyth"
    assert "exact" in ids("Jhon Smyth")
    assert "desouza" in ids("Mary Dsouza")
    assert "exact" in ids("Johm Smiht")


def test_transposed_names() -> None:
    assert ids("Smith John")[0] == "swapped"  # as typed first
    assert set(ids("Smith John")[1:3]) == {"exact", "older"}
    assert "exact" in ids("Smyth Jhon")


def test_date_of_birth_and_postcode_decide_exactness() -> None:
    assert ids("John Smith 11/02/1938")[0] == "exact"
    ranked = rank(parse("John Smith CX9 9ZZ"), PEOPLE)
    assert ranked[0].person.id == "older" and ranked[0].exact
    assert not any(m.exact for m in ranked[1:])


def test_first_letter_typo_found_when_a_date_narrows() -> None:
    assert "exact" in ids("Kohn Smith 11/02/1938")
    assert ids("Kohn Smith 11/02/1938")[0] == "kohn"


def test_initial_and_parts_of_names() -> None:
    assert set(ids("J Smith")) >= {"exact", "older", "jean"}
    assert "kohn" not in ids("J Smith") and "brown" not in ids("J Smith")
    assert ids("Jane Jones") == ["double"]  # one part of a double-barrelled name
    assert ids("Mary Ann De Souza") == ["desouza"]
    assert rank(parse("Mary Ann De Souza"), PEOPLE)[0].exact


def test_one_name_with_a_date_matches_either_name() -> None:
    found = ids("Smith 11/02/1938")
    assert {"exact", "kohn", "jean", "swapped"} <= set(found)
    assert found.index("swapped") > found.index("exact")  # a family name match ranks first


def test_date_or_postcode_alone_lists_everyone_given() -> None:
    born = [p for p in PEOPLE if p.birth_date == BIRTH]
    everyone = rank(parse("11/02/1938"), born)
    assert len(everyone) == len(born) and all(m.exact for m in everyone)
    names = [(fold(m.person.family_name), fold(m.person.given_name)) for m in everyone]
    assert names == sorted(names)  # by family name, then given name


def test_nhs_number_matches_only_itself() -> None:
    people = [person("a", "Ann", "Lee", nhs_number="9434765919"), person("b", "Ann", "Lee")]
    ranked = rank(parse("943 476 5919"), people)
    assert [(m.person.id, m.exact) for m in ranked] == [("a", True)]
    assert ranked[0].person.nhs_number_display == "943 476 5919"
    assert people[1].nhs_number_display == ""


def test_readings_include_swaps_and_two_word_family_names() -> None:
    pairs = {(f, g) for f, g in readings(["MARIA", "DE", "SOUZA"])}
    assert ((1, 3), (0, 1)) in pairs  # Maria | De Souza
    assert ((0, 1), (1, 2)) in pairs  # family first
    assert readings(["SMITH"]) == [((0, 1), None)]
    assert all(f != (0, 1) for f, _ in readings(["J", "SMITH"]))  # an initial is no family name


def test_sound_conditions_cover_both_orders() -> None:
    conditions = " ".join(str(q) for q in sound_conditions(["JOHN", "SMITH"]))
    john, smith = soundex("John"), soundex("Smith")
    assert f"('family_name_sound', '{smith}'), ('given_name_sound', '{john}')" in conditions
    assert f"('family_name_sound', '{john}'), ('given_name_sound', '{smith}')" in conditions
    widened = " ".join(str(q) for q in sound_conditions(["JOHN", "SMITH"], widen=True))
    assert "('given_name_sound__gte', 'J'), ('given_name_sound__lt', 'K')" in widened


def test_soundex_groups_the_usual_misspellings() -> None:
    assert soundex("Smith") == soundex("Smyth") == soundex("Smithe") == "S530"
    assert soundex("John") == soundex("Jhon") == soundex("Jon") == "J500"
    assert soundex("Robert") == soundex("Rupert") == "R163"
    assert soundex("Ashcraft") == "A261"  # H between two letters of one code
    assert soundex("") == "" and soundex("O'Brien") == soundex("OBrien")


def test_typo_sounds_reach_the_key_of_the_name_meant() -> None:
    assert soundex("Wakler") != soundex("Walker")
    assert soundex("Walker") in typo_sounds("Wakler")  # two letters swapped
    assert soundex("Thompson") in typo_sounds("Thomson")  # a letter missed
    assert soundex("Smith") in typo_sounds("Smitth")  # a letter too many
    assert soundex("Davis") in typo_sounds("Dakis")  # a letter mistyped
    assert all(key.startswith("W") for key in typo_sounds("Wakler"))  # first letter kept
    assert typo_sounds("") == set()
