"""The sandbox's WooCommerce REST v3 emulation, called through real ``requests`` sessions.

Each test writes its own small products into the WordPress tables and talks to the service
over the in-process adapter (one test over a loopback HTTP port), so what is checked is
what an HTTP client of the app sees, and what a write leaves in the database the app's SQL
reads.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import phpserialize
import pytest
import requests
from sqlalchemy import Engine, event, insert, select

from brcc_core.sandbox.app import SANDBOX_BASE_URL, SandboxApp, make_http_server, mount
from brcc_core.sandbox.faults import Faults
from brcc_core.sandbox.schema import wordpress_metadata
from brcc_core.sandbox.woocommerce_api import WooCommerceService

# Test-only identities for the emulated site (never valid anywhere else).
KEY = "ck_test_key"
SECRET = "cs_test_secret"
API = f"{SANDBOX_BASE_URL}/wp-json/wc/v3"

_MD = wordpress_metadata("wp_")
POSTS = _MD.tables["wp_posts"]
META = _MD.tables["wp_postmeta"]
LOOKUP = _MD.tables["wp_wc_product_meta_lookup"]

SHAPE = json.loads((Path(__file__).parent / "fixtures" / "wc_product_4156_shape.json").read_text())
BASE_GMT = datetime(2025, 3, 1, 17, 0, 0)


def _post_row(product_id: int, *, title: str, status: str, gmt: datetime, post_type: str) -> dict:
    local = gmt - timedelta(hours=5)
    return {
        "ID": product_id,
        "post_title": title,
        "post_name": title.lower().replace(" ", "-"),
        "post_type": post_type,
        "post_status": status,
        "post_content": "",
        "post_excerpt": "",
        "to_ping": "",
        "pinged": "",
        "post_content_filtered": "",
        "comment_status": "closed",
        "post_date": local,
        "post_date_gmt": gmt,
        "post_modified": local,
        "post_modified_gmt": gmt,
    }


def add_product(
    engine: Engine,
    product_id: int,
    meta: Sequence[tuple[str, str | None]] = (),
    *,
    title: str | None = None,
    status: str = "publish",
    gmt: datetime = BASE_GMT,
    post_type: str = "product",
) -> None:
    """One product post and its raw meta rows, in the given order."""
    row = _post_row(
        product_id,
        title=title or f"Show {product_id}",
        status=status,
        gmt=gmt,
        post_type=post_type,
    )
    with engine.begin() as conn:
        conn.execute(insert(POSTS).values(**row))
        for key, value in meta:
            conn.execute(insert(META).values(post_id=product_id, meta_key=key, meta_value=value))


def meta_rows(engine: Engine, product_id: int) -> list[tuple[int, str, str | None]]:
    with engine.connect() as conn:
        query = (
            select(META.c.meta_id, META.c.meta_key, META.c.meta_value)
            .where(META.c.post_id == product_id)
            .order_by(META.c.meta_id)
        )
        return [tuple(row) for row in conn.execute(query)]


def raw_values(engine: Engine, product_id: int, key: str) -> list[str | None]:
    return [value for _id, k, value in meta_rows(engine, product_id) if k == key]


def lookup_row(engine: Engine, product_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(LOOKUP).where(LOOKUP.c.product_id == product_id)).first()
        return dict(row._mapping) if row else None


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@dataclass
class Site:
    engine: Engine
    app: SandboxApp
    faults: Faults
    client: requests.Session  # authenticated with HTTP Basic
    anonymous: requests.Session


def _site(engine: Engine, *, site_url: str = SANDBOX_BASE_URL) -> Site:
    faults = Faults()
    service = WooCommerceService(consumer_key=KEY, consumer_secret=SECRET, site_url=site_url)
    app = SandboxApp(engine, [service], faults)
    client, anonymous = requests.Session(), requests.Session()
    client.auth = (KEY, SECRET)
    mount(client, app)
    mount(anonymous, app)
    return Site(engine, app, faults, client, anonymous)


@pytest.fixture
def site(engine: Engine) -> Site:
    return _site(engine)


MANAGED = [("_manage_stock", "yes"), ("_stock", "40"), ("_stock_status", "instock")]


# --- product JSON ------------------------------------------------------------------------


def test_product_json_matches_the_captured_product(engine: Engine) -> None:
    post = SHAPE["post"]
    row = _post_row(
        post["ID"],
        title=post["post_title"],
        status=post["post_status"],
        gmt=datetime.fromisoformat(post["post_date_gmt"]),
        post_type="product",
    )
    row.update(
        post_name=post["post_name"],
        post_date=datetime.fromisoformat(post["post_date"]),
        post_modified=datetime.fromisoformat(post["post_modified"]),
        post_modified_gmt=datetime.fromisoformat(post["post_modified_gmt"]),
    )
    with engine.begin() as conn:
        conn.execute(insert(POSTS).values(**row))
        for key, value in SHAPE["meta"]:
            conn.execute(insert(META).values(post_id=post["ID"], meta_key=key, meta_value=value))
    site = _site(engine, site_url=SHAPE["site_url"])

    product = site.client.get(f"{API}/products/{post['ID']}").json()

    assert set(product) - {"_links"} == set(SHAPE["reference_keys"])
    assert [key for key in product if key != "_links"] == SHAPE["reference_keys"]
    for field, expected in SHAPE["expected_fields"].items():
        assert product[field] == expected, field
    # Internal keys (_stock, _price, _edit_lock, _wp_old_slug...) are hidden; other "_" keys
    # show; serialized values come back decoded; the FBOS stays a string.
    assert [[m["key"], m["value"]] for m in product["meta_data"]] == SHAPE["expected_meta_data"]
    ids = [m["id"] for m in product["meta_data"]]
    assert ids == sorted(ids)
    assert isinstance(product["meta_data"][0]["id"], int)


def test_meta_that_cannot_be_decoded_or_is_null(site: Site) -> None:
    add_product(
        site.engine,
        10,
        [
            ("broken_serialized", 'a:1:{s:12:"too short";i:1;}'),
            ("null_value", None),
            ("wp_hidden", "x"),
            ("plain", "a:1"),
            ("_stock", "12.0"),
            ("_manage_stock", "yes"),
        ],
    )
    product = site.client.get(f"{API}/products/10").json()

    # WordPress's unserialize fails -> false; NULL rows and wp_* keys are left out.
    assert [(m["key"], m["value"]) for m in product["meta_data"]] == [
        ("broken_serialized", False),
        ("plain", "a:1"),
    ]
    assert product["stock_quantity"] == 12  # wc_stock_amount: an int


# --- listing -----------------------------------------------------------------------------


def _add_many(engine: Engine, count: int) -> list[int]:
    ids = list(range(1000, 1000 + count))
    posts, meta = [], []
    for index, product_id in enumerate(ids):
        posts.append(
            _post_row(
                product_id,
                title=f"Show {product_id}",
                status="publish",
                gmt=BASE_GMT + timedelta(minutes=index),
                post_type="product",
            )
        )
        for key, value in (
            ("_manage_stock", "yes"),
            ("_stock", str(index % 55)),
            ("WooCommerceEventsType", "single"),
        ):
            meta.append({"post_id": product_id, "meta_key": key, "meta_value": value})
    with engine.begin() as conn:
        conn.execute(insert(POSTS), posts)
        conn.execute(insert(META), meta)
    return ids


def test_pages_of_230_products_cost_a_fixed_number_of_statements(site: Site) -> None:
    ids = _add_many(site.engine, 230)
    site.client.get(f"{API}/products", params={"per_page": 1})  # connection warm-up

    pages, counts = [], []
    for page in (1, 2, 3, 4):
        with counted_statements(site.engine) as statements:
            response = site.client.get(f"{API}/products", params={"per_page": 100, "page": page})
        assert response.status_code == 200
        assert response.headers["X-WP-Total"] == "230"
        assert response.headers["X-WP-TotalPages"] == "3"
        pages.append(response.json())
        counts.append(len(statements))
    with counted_statements(site.engine) as small:
        site.client.get(f"{API}/products", params={"per_page": 5})

    assert [len(page) for page in pages] == [100, 100, 30, 0]
    listed = [product["id"] for page in pages for product in page]
    assert listed == sorted(ids, reverse=True)  # newest first, no repeats, none missing
    by_id = {product["id"]: product for page in pages for product in page}
    assert by_id[1007]["stock_quantity"] == 7
    assert by_id[1007]["meta_data"][0]["key"] == "WooCommerceEventsType"
    # Posts, total, and all meta in one query: never one query per product.
    assert counts[:3] == [3, 3, 3]
    assert len(small) == 3
    assert sum("postmeta" in statement for statement in small) == 1


def test_pagination_links_never_carry_the_secret(site: Site) -> None:
    _add_many(site.engine, 25)
    query = {"consumer_key": KEY, "consumer_secret": SECRET, "per_page": 10, "page": 2}
    response = site.anonymous.get(f"{API}/products", params=query)

    assert response.status_code == 200
    link = response.headers["Link"]
    assert 'rel="prev"' in link and 'rel="next"' in link and "page=3" in link
    assert SECRET not in link and "consumer" not in link


@pytest.mark.parametrize("per_page", ["101", "0", "ten"])
def test_per_page_outside_1_to_100_is_refused(site: Site, per_page: str) -> None:
    response = site.client.get(f"{API}/products", params={"per_page": per_page})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == "Invalid parameter(s): per_page"
    assert body["data"]["status"] == 400
    assert "per_page" in body["data"]["params"]


def test_status_defaults_to_any_but_trash(site: Site) -> None:
    for product_id, status in ((1, "publish"), (2, "draft"), (3, "private"), (4, "trash")):
        add_product(site.engine, product_id, status=status, gmt=BASE_GMT + timedelta(hours=1))
    add_product(site.engine, 5, post_type="page")

    def listed(**params) -> list[int]:
        return sorted(p["id"] for p in site.client.get(f"{API}/products", params=params).json())

    assert listed() == [1, 2, 3]
    assert listed(status="draft") == [2]
    assert listed(status="trash") == [4]
    bad = site.client.get(f"{API}/products", params={"status": "sold"})
    assert bad.status_code == 400 and bad.json()["code"] == "rest_invalid_param"


def test_include_and_ordering(site: Site) -> None:
    add_product(site.engine, 7, title="Charlie", gmt=BASE_GMT)
    add_product(site.engine, 8, title="Alpha", gmt=BASE_GMT + timedelta(days=2))
    add_product(site.engine, 9, title="Bravo", gmt=BASE_GMT + timedelta(days=1))

    def ids(**params) -> list[int]:
        return [p["id"] for p in site.client.get(f"{API}/products", params=params).json()]

    assert ids() == [8, 9, 7]  # date, newest first
    assert ids(order="asc") == [7, 9, 8]
    assert ids(orderby="title", order="asc") == [8, 9, 7]
    assert ids(orderby="id", order="asc") == [7, 8, 9]
    assert ids(include="9,7", orderby="id", order="asc") == [7, 9]
    assert ids(include="9,7,8", orderby="include") == [9, 7, 8]
    response = site.client.get(f"{API}/products", params={"include": "9,7"})
    assert response.headers["X-WP-Total"] == "2"


# --- writes: stock -----------------------------------------------------------------------


def test_stock_quantity_put_sets_stock_status_and_lookup_row(site: Site) -> None:
    add_product(site.engine, 20, [("_regular_price", "20"), ("_price", "20"), *MANAGED])

    response = site.client.put(f"{API}/products/20", json={"stock_quantity": 37})

    assert response.status_code == 200
    assert response.json()["stock_quantity"] == 37
    assert raw_values(site.engine, 20, "_stock") == ["37"]
    lookup = lookup_row(site.engine, 20)
    assert lookup is not None
    assert lookup["stock_quantity"] == 37 and lookup["stock_status"] == "instock"

    sold_out = site.client.post(f"{API}/products/20", json={"stock_quantity": 0}).json()

    assert sold_out["stock_status"] == "outofstock"
    assert raw_values(site.engine, 20, "_stock") == ["0"]
    assert raw_values(site.engine, 20, "_stock_status") == ["outofstock"]
    lookup = lookup_row(site.engine, 20)
    assert lookup["stock_quantity"] == 0 and lookup["stock_status"] == "outofstock"
    assert site.client.get(f"{API}/products/20").json()["stock_quantity"] == 0


def test_stock_quantity_is_ignored_unless_stock_is_managed(site: Site) -> None:
    add_product(site.engine, 21, [("_manage_stock", "no"), ("_stock_status", "instock")])

    ignored = site.client.put(f"{API}/products/21", json={"stock_quantity": 10}).json()

    assert ignored["manage_stock"] is False and ignored["stock_quantity"] is None
    assert raw_values(site.engine, 21, "_stock") in ([], [None])

    managed = site.client.put(
        f"{API}/products/21", json={"manage_stock": True, "stock_quantity": 10}
    ).json()

    assert managed["manage_stock"] is True and managed["stock_quantity"] == 10
    assert raw_values(site.engine, 21, "_manage_stock") == ["yes"]
    assert raw_values(site.engine, 21, "_stock") == ["10"]


def test_invalid_values_are_refused_before_anything_is_written(site: Site) -> None:
    add_product(site.engine, 22, MANAGED)
    before = meta_rows(site.engine, 22)

    response = site.client.put(
        f"{API}/products/22", json={"stock_quantity": "many", "meta_data": {"key": "x"}}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert set(body["data"]["params"]) == {"stock_quantity", "meta_data"}
    assert meta_rows(site.engine, 22) == before


# --- writes: meta_data -------------------------------------------------------------------

FBOS = {
    "wcolndrhzpeplpcnmqwi": {
        "label": 'Monday "Overalls" Comedy',
        "hour": "08",
        "minute": "00",
        "period": "p.m.",
        "add_time": "enabled",
        "formatted_time": "(08:00 p.m.)",
        "add_date": {"ucnhzxsafkpojhgknylj": {"date": "June 02, 2025", "stock": 54}},
    }
}
FBOS_KEY = "fooevents_bookings_options_serialized"


def test_fbos_string_is_stored_byte_for_byte_and_an_object_is_serialized(site: Site) -> None:
    add_product(site.engine, 30, [("WooCommerceEventsType", "bookings"), (FBOS_KEY, "{}")])
    as_string = json.dumps(FBOS, separators=(",", ":"))
    assert '\\"' in as_string  # the label's quotes are backslash-escaped inside the JSON

    sent = site.client.put(
        f"{API}/products/30", json={"meta_data": [{"key": FBOS_KEY, "value": as_string}]}
    )

    assert sent.status_code == 200
    assert raw_values(site.engine, 30, FBOS_KEY) == [as_string]
    read_back = site.client.get(f"{API}/products/30").json()["meta_data"]
    assert [m["value"] for m in read_back if m["key"] == FBOS_KEY] == [as_string]

    # The mistake that takes the live site down: the FBOS sent as an object.
    site.client.put(f"{API}/products/30", json={"meta_data": [{"key": FBOS_KEY, "value": FBOS}]})

    [stored] = raw_values(site.engine, 30, FBOS_KEY)
    assert stored.startswith("a:1:{s:20:")
    decoded = phpserialize.loads(stored.encode(), decode_strings=True)
    assert decoded["wcolndrhzpeplpcnmqwi"]["add_date"]["ucnhzxsafkpojhgknylj"]["stock"] == 54
    read_back = site.client.get(f"{API}/products/30").json()["meta_data"]
    assert [m["value"] for m in read_back if m["key"] == FBOS_KEY] == [FBOS]


def test_meta_data_update_semantics(site: Site) -> None:
    add_product(
        site.engine,
        40,
        [*MANAGED, ("K", "first"), ("K", "second"), ("L", "x"), ("M", "keep")],
    )
    ids = {value: meta_id for meta_id, _key, value in meta_rows(site.engine, 40)}

    def put(*items: dict) -> dict:
        response = site.client.put(f"{API}/products/40", json={"meta_data": list(items)})
        assert response.status_code == 200
        return response.json()

    def rows(key: str) -> list[tuple[int, str | None]]:
        return [(mid, value) for mid, k, value in meta_rows(site.engine, 40) if k == key]

    # {key, value}: the first row with the key is updated, its duplicates deleted.
    product = put({"key": "K", "value": "new"})
    assert rows("K") == [(ids["first"], "new")]
    assert [m["id"] for m in product["meta_data"] if m["key"] == "K"] == [ids["first"]]

    # {id, key, value}: that row; a number is stored as a string.
    put({"id": ids["x"], "key": "L", "value": 5})
    assert rows("L") == [(ids["x"], "5")]

    # A new key adds a row; a null (or missing) value deletes every row with the key.
    put({"key": "N", "value": "added"})
    [(added_id, added)] = rows("N")
    assert added == "added" and added_id > max(ids.values())
    put({"key": "K", "value": None}, {"key": "N"})
    assert rows("K") == [] and rows("N") == []

    # An id that is not one of the product's visible meta: every row with the key is
    # replaced by one new row.
    put({"id": 999999, "key": "L", "value": "y"})
    [(new_id, value)] = rows("L")
    assert value == "y" and new_id != ids["x"]

    # Untouched rows and internal keys are left alone and stay hidden.
    assert rows("M") == [(ids["keep"], "keep")]
    listed = site.client.get(f"{API}/products/40").json()
    assert {m["key"] for m in listed["meta_data"]} == {"L", "M"}
    assert listed["stock_quantity"] == 40


def test_internal_meta_keys_go_to_their_setters_or_stay_hidden(site: Site) -> None:
    add_product(site.engine, 41, [("_manage_stock", "no")])
    add_product(site.engine, 42, MANAGED)

    def put_meta(product_id: int, key: str, value: object) -> dict:
        body = {"meta_data": [{"key": key, "value": value}]}
        return site.client.put(f"{API}/products/{product_id}", json=body).json()

    # _manage_stock has a setter (set_manage_stock), so it acts like manage_stock.
    assert put_meta(41, "_manage_stock", "yes")["manage_stock"] is True
    # _stock has none: it lands as an extra hidden row, and the first row still counts.
    product = put_meta(42, "_stock", 9)
    assert product["stock_quantity"] == 40
    assert raw_values(site.engine, 42, "_stock") == ["40", "9"]
    assert all(m["key"] != "_stock" for m in product["meta_data"])


# --- authentication and errors -----------------------------------------------------------


def test_basic_and_query_string_authentication(site: Site) -> None:
    add_product(site.engine, 50, MANAGED)

    assert site.client.get(f"{API}/products/50").status_code == 200
    query = {"consumer_key": KEY, "consumer_secret": SECRET}
    assert site.anonymous.get(f"{API}/products/50", params=query).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "code", "message"),
    [
        ("GET", "/products", "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
        (
            "GET",
            "/products/51",
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        (
            "PUT",
            "/products/51",
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
    ],
)
def test_missing_credentials_are_401(
    site: Site, method: str, path: str, code: str, message: str
) -> None:
    add_product(site.engine, 51, MANAGED)
    before = meta_rows(site.engine, 51)

    response = site.anonymous.request(method, f"{API}{path}", json={"stock_quantity": 1})

    assert response.status_code == 401
    assert response.json() == {"code": code, "message": message, "data": {"status": 401}}
    assert meta_rows(site.engine, 51) == before


def test_wrong_secret_and_unknown_key(site: Site) -> None:
    add_product(site.engine, 52, MANAGED)

    wrong_secret = site.anonymous.get(f"{API}/products", auth=(KEY, "cs_wrong"))
    wrong_in_query = site.anonymous.get(
        f"{API}/products", params={"consumer_key": KEY, "consumer_secret": "cs_wrong"}
    )
    unknown_key = site.anonymous.get(f"{API}/products", auth=("ck_someone_else", SECRET))

    for response in (wrong_secret, wrong_in_query):
        assert response.status_code == 401
        assert response.json()["code"] == "woocommerce_rest_authentication_error"
        assert response.json()["message"] == "Consumer secret is invalid."
    # WooCommerce does not say a key is unknown: the request is simply not authenticated.
    assert unknown_key.status_code == 401
    assert unknown_key.json()["code"] == "woocommerce_rest_cannot_view"
    for response in (wrong_secret, wrong_in_query, unknown_key):
        assert SECRET not in response.text and "cs_wrong" not in response.text


def test_stripped_authorization_header_needs_query_string_auth(engine: Engine) -> None:
    site = _site(engine)
    site.faults.strip_authorization = True
    add_product(engine, 53, MANAGED)

    basic = site.client.get(f"{API}/products/53")
    query = site.anonymous.get(
        f"{API}/products/53", params={"consumer_key": KEY, "consumer_secret": SECRET}
    )

    assert basic.status_code == 401
    assert basic.json()["code"] == "woocommerce_rest_cannot_view"
    assert query.status_code == 200 and query.json()["id"] == 53


def test_not_found_answers(site: Site) -> None:
    add_product(site.engine, 60, MANAGED)
    add_product(site.engine, 61, post_type="page")

    for path in ("/products/999", "/products/61"):
        response = site.client.get(f"{API}{path}")
        assert response.status_code == 404
        assert response.json() == {
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 404},
        }
    # WC_REST_CRUD_Controller::update_item answers an unknown id with 400, not 404.
    missing_put = site.client.put(f"{API}/products/999", json={"stock_quantity": 1})
    assert missing_put.status_code == 400
    assert missing_put.json()["code"] == "woocommerce_rest_product_invalid_id"

    for method, path in (("GET", "/orders"), ("GET", "/products/abc"), ("DELETE", "/products/60")):
        response = site.client.request(method, f"{API}{path}")
        assert response.status_code == 404
        assert response.json() == {
            "code": "rest_no_route",
            "message": "No route was found matching the URL and request method.",
            "data": {"status": 404},
        }


def test_invalid_json_body(site: Site) -> None:
    add_product(site.engine, 62, MANAGED)
    before = meta_rows(site.engine, 62)

    response = site.client.put(
        f"{API}/products/62",
        data='{"stock_quantity": 3',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "rest_invalid_json"
    assert response.json()["message"] == "Invalid JSON body passed."
    assert meta_rows(site.engine, 62) == before


# --- injected faults ---------------------------------------------------------------------


def test_injected_429_carries_retry_after(site: Site) -> None:
    add_product(site.engine, 70, MANAGED)
    site.faults.inject("woocommerce", "429", retry_after=7)

    limited = site.client.get(f"{API}/products/70")
    after = site.client.get(f"{API}/products/70")

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert set(limited.json()) == {"code", "message", "data"}
    assert after.status_code == 200


def test_malformed_json_fault(site: Site) -> None:
    add_product(site.engine, 71, MANAGED)
    site.faults.inject("woocommerce", "malformed_json")

    response = site.client.get(f"{API}/products")

    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_dropped_write_answers_ok_but_stores_nothing(site: Site) -> None:
    add_product(site.engine, 72, MANAGED)
    before = meta_rows(site.engine, 72)
    site.faults.inject("woocommerce", "drop_write", method="PUT")

    response = site.client.put(
        f"{API}/products/72",
        json={"stock_quantity": 12, "meta_data": [{"key": FBOS_KEY, "value": "{}"}]},
    )

    assert response.status_code == 200
    assert response.json()["stock_quantity"] == 12  # what the client is told
    assert meta_rows(site.engine, 72) == before  # what is stored
    assert lookup_row(site.engine, 72) is None
    assert site.client.get(f"{API}/products/72").json()["stock_quantity"] == 40


# --- loopback HTTP -----------------------------------------------------------------------


def test_over_a_loopback_http_server(site: Site) -> None:
    add_product(site.engine, 80, MANAGED)
    server = make_http_server(site.app, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}/wp-json/wc/v3"
        with requests.Session() as http:
            listed = http.get(f"{base}/products", auth=(KEY, SECRET), timeout=10)
            changed = http.put(
                f"{base}/products/80", json={"stock_quantity": 33}, auth=(KEY, SECRET), timeout=10
            )
            by_query = http.get(
                f"{base}/products/80",
                params={"consumer_key": KEY, "consumer_secret": SECRET},
                timeout=10,
            )
            anonymous = http.get(f"{base}/products", timeout=10)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    assert listed.status_code == 200 and listed.headers["X-WP-Total"] == "1"
    assert changed.status_code == 200 and changed.json()["stock_quantity"] == 33
    assert by_query.json()["stock_quantity"] == 33
    assert raw_values(site.engine, 80, "_stock") == ["33"]
    assert anonymous.status_code == 401
