"""Item validation has two paths (crawler/prepare/validation.py): fastjsonschema's compiled check confirms a valid item,
jsonschema lists what is wrong with any other. They must give the same verdict on every item: here on a valid
article and on every field of the schema replaced by values of every JSON shape, or removed, or one field
too many."""
import copy

import fastjsonschema
import pytest
from jsonschema import Draft202012Validator

from crawler.items import article_schema
from crawler.prepare import validation_errors
from test_storage import article

SCHEMA = article_schema()
FULL = Draft202012Validator(SCHEMA)
FAST = fastjsonschema.compile(SCHEMA)
SHAPES = [None, 0, 5, -1, 0.7, 1.5, True, False, "", "x", "Một bài", "https://baodaknong.vn/a.jpg", "ftp://x",
          "2024-01-02T03:04:05Z", "2024-01-02T10:04:05+07:00", "2024-01-02", "a" * 64, "A" * 64, "x" * 30,
          [], ["x"], [1], [None], [{"url": "https://a.vn/1.jpg", "caption": "Ảnh"}], [{"url": 1}], [{}],
          {}, {"cai_cach_hanh_chinh": ["cải cách hành chính"]}, {"x": 1}, {"x": [1]}]


def valid_article() -> dict:
    return article("https://baodaknong.vn/tin/a-1.html", lead="Tỉnh triển khai kế hoạch.", author="Minh Anh",
                   topics=["cai_cach_hanh_chinh"], topic_terms={"cai_cach_hanh_chinh": ["cải cách hành chính"]},
                   relevance=0.8, from_cchc_section=True)


def fast_verdict(item: dict) -> bool:
    try:
        FAST(copy.deepcopy(item))  # it must not change the item either: compared below
        return True
    except fastjsonschema.JsonSchemaException:
        return False


def mutants():
    base = valid_article()
    yield "as is", base
    yield "one field too many", dict(base, unknown_field="x")
    for name in SCHEMA["properties"]:
        rest = dict(base)
        rest.pop(name, None)
        yield f"{name} removed", rest
        for value in SHAPES:
            yield f"{name} = {value!r}"[:60], dict(base, **{name: value})


@pytest.mark.parametrize("label,item", list(mutants()), ids=lambda v: v if isinstance(v, str) else "")
def test_both_paths_give_the_same_verdict(label, item):
    valid = FULL.is_valid(item)
    before = copy.deepcopy(item)
    assert fast_verdict(item) == valid, label
    assert (validation_errors(item) == []) == valid, label
    assert item == before


def test_the_valid_article_is_valid_and_a_broken_one_says_why():
    assert validation_errors(valid_article()) == []
    errors = validation_errors(dict(valid_article(), published_at="02/01/2024", title=None))
    assert [e.split(":")[0] for e in errors] == ["published_at", "title"]
