"""The one id scheme and the one set of page bounds."""

import re
import time

import pytest

from agentgate.data.ids import new_id, ordered_id
from agentgate.data.pages import DEFAULT_LIMIT, MAX_LIMIT, ItemPage, bounded_limit
from agentgate.schemas.common import PageQuery


def test_an_id_is_its_prefix_and_sixteen_random_hex_digits():
    ids = {new_id("agt") for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"agt_[0-9a-f]{16}", i) for i in ids)


def test_sortable_ids_sort_in_the_order_they_were_made():
    made = []
    for _ in range(5):
        made.append(ordered_id("evt"))
        time.sleep(0.002)
    assert sorted(made) == made
    assert all(re.fullmatch(r"evt_[0-9a-f]{27}", i) for i in made)
    assert new_id("evt", sortable=True) > made[-1]


@pytest.mark.parametrize("prefix", ["", "agt_", "a-b", "TENANT#"])
def test_a_prefix_is_letters_and_digits_only(prefix):
    with pytest.raises(ValueError):
        new_id(prefix)


def test_a_limit_is_held_within_the_bounds():
    assert bounded_limit(None) == DEFAULT_LIMIT
    assert bounded_limit(0) == 1
    assert bounded_limit(10_000) == MAX_LIMIT
    assert bounded_limit(500, maximum=1000) == 500
    assert bounded_limit(None, maximum=20) == 20


def test_list_queries_take_their_bounds_from_the_data_layer():
    fields = PageQuery.model_fields
    assert fields["limit"].default == DEFAULT_LIMIT
    assert PageQuery(limit=MAX_LIMIT).limit == MAX_LIMIT
    with pytest.raises(ValueError):
        PageQuery(limit=MAX_LIMIT + 1)


def test_a_page_maps_its_items_and_keeps_its_cursor():
    page = ItemPage([1, 2], "c").map(str)
    assert (page.items, page.next_cursor) == (["1", "2"], "c")
