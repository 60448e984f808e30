"""One way to write a count (services/numbers.py): grouped the reader's way, so "20005 kasus"
reads "20.005 kasus" in Indonesian and "20,005" in English; publication marks pass through."""
from flask import render_template_string
from flask_babel import force_locale

from course_app.services import numbers


def test_a_count_is_grouped_the_readers_way(app):
    with app.test_request_context(), force_locale("id"):
        assert numbers.count_text(20005) == "20.005"
        assert numbers.count_text(999) == "999"
        assert render_template_string("{{ n|format_count }} kasus", n=200000) == "200.000 kasus"
    with app.test_request_context(), force_locale("en"):
        assert numbers.count_text(20005) == "20,005"


def test_a_suppressed_cell_or_nothing_is_shown_as_it_is(app):
    with app.test_request_context(), force_locale("id"):
        assert numbers.count_text("<5") == "<5" and numbers.count_text("*") == "*"
        assert numbers.count_text(None) == ""
        assert numbers.count_text(True) is True  # not a count
