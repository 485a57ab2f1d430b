"""``PlainSelect`` writes what Django's ``Select`` templates write, byte for byte."""

from types import SimpleNamespace

import pytest
from django import forms
from django.utils.safestring import mark_safe

from pipelines.board.forms import BoardFilterForm
from pipelines.board.select_html import PlainSelect

CHOICES = [
    ("", "Anyone"),
    ("mine", "Assigned to me"),
    ("user_01h000000000000000000000a", "Grace O'Hopper <grace> & co"),
    ('a"b', mark_safe("<b>safe</b>")),
]


@pytest.mark.parametrize("value", ["", "mine", 'a"b', "absent", None])
@pytest.mark.parametrize("attrs", [None, {"id": "id_assignee"}, {"id": 'x"y', "required": True, "disabled": False}])
def test_a_select_is_djangos_markup(value, attrs):
    django_select = forms.Select(choices=CHOICES)
    plain = PlainSelect(choices=CHOICES)

    assert plain.render("assignee", value, attrs) == django_select.render("assignee", value, attrs)


def test_option_groups_are_left_to_django():
    grouped = [("People", [("a", "Ada"), ("b", "Bo")]), ("", "None")]

    assert PlainSelect(choices=grouped).render("who", "b") == forms.Select(choices=grouped).render("who", "b")


@pytest.mark.parametrize("data", [None, {"assignee": "mine", "source": "trade_show", "q": 'a "b"'}])
def test_the_board_filter_form_is_the_same_page(data):
    members = [SimpleNamespace(pk="user_01h000000000000000000000a", name="Ada <L>", email="ada@example.com")]
    form = BoardFilterForm(data, members=members, sources=["referral", "trade_show"])
    reference = BoardFilterForm(data, members=members, sources=["referral", "trade_show"])
    for name in ("assignee", "source"):
        reference.fields[name].widget = forms.Select(choices=reference.fields[name].choices)

    for name in ("assignee", "source", "q"):
        assert str(form[name]) == str(reference[name])
