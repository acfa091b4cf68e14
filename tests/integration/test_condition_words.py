"""Conditions are written as staff write them: "COPD", never the capitalised code "Copd",
on the record page as everywhere the people app names one."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.formatting import condition_text
from joinedup.lake.schema import CONDITIONS
from joinedup.record.models import Condition
from workspace_world import Workspace, build_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.once_on_postgres]


def test_every_condition_has_words_that_are_not_its_code() -> None:
    words = {code: condition_text(code) for code in CONDITIONS}
    assert words["copd"] == "COPD"
    assert words["parkinsons"] == "Parkinson's disease"
    assert words["frailty_severe"] == "Frailty severe"
    assert words["heart_failure"] == "Heart failure"
    for code, text in words.items():
        assert "_" not in text and text != code, code
        assert text[0].isupper(), code


@pytest.fixture
def world() -> Workspace:
    return build_workspace()


def test_the_record_names_copd_in_capitals(world: Workspace) -> None:
    for code, onset in (("copd", dt.date(2019, 5, 1)), ("parkinsons", dt.date(2021, 2, 1))):
        Condition.objects.create(person=world.people["ada"], condition=code, onset_date=onset)
    html = world.client("nurse").get("/people/p-ada/").content.decode()
    assert "COPD" in html and "Copd" not in html
    assert "Parkinson&#39;s disease" in html and "Parkinsons" not in html
