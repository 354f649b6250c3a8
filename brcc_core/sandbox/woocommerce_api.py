"""The sandbox's WooCommerce REST API v3 (products), over any WordPress database.

It builds product JSON from ``wp_posts`` / ``wp_postmeta`` the way WooCommerce does, and
writes back with WooCommerce's update semantics, so the app meets the same traps as on the
club's site. Each behaviour below follows WooCommerce's and WordPress's own source
(``WC_REST_Products_Controller``, ``WC_Product_Data_Store_CPT``, ``WC_Data``,
``WC_REST_Authentication``, WordPress's meta and REST functions):

- ``meta_data`` hides WooCommerce's internal keys (``_stock``, ``_price``, ...; the
  data store's list plus every product prop with a ``_`` prefix, plus ``wp_*`` keys) but
  shows every other key, ``_``-prefixed ones included; values are ``maybe_unserialize``d,
  so PHP-serialized meta arrives as JSON objects/arrays, and rows whose value is NULL are
  left out (and deleted by any ``meta_data`` write, as ``WC_Data::save_meta_data`` does).
- ``stock_quantity`` is ``_stock`` through ``wc_stock_amount`` (an int), or null.
- ``PUT``/``POST``/``PATCH /products/<id>``: ``stock_quantity`` is absolute and only
  applies when stock is managed; stock status is recomputed from it and the
  ``wc_product_meta_lookup`` row is rewritten. ``meta_data`` items go through
  ``WC_Data::update_meta_data``: ``{key, value}`` updates the first row with that key and
  deletes its duplicates, ``{id, key, value}`` updates that row (an unknown id replaces
  every row with the key), a new key adds a row, a null or missing value deletes. A string
  is stored byte for byte; an array/object is stored PHP-serialized (``a:...``), which is
  how an FBOS sent as an object takes the live site down; numbers become strings.
- Authentication as WooCommerce does it over HTTPS: query-string
  ``consumer_key``/``consumer_secret`` first, else HTTP Basic. A wrong secret for the
  known key is a 401 ``woocommerce_rest_authentication_error``; an unknown key counts as
  no credentials, and the route's permission check answers 401.
- Errors have WordPress's shape ``{"code", "message", "data": {"status"}}``, raised in
  WordPress's order: authentication, route (``rest_no_route``), JSON body
  (``rest_invalid_json``), parameters (``rest_invalid_param``), permission, handler.

Listing one page costs three SQL statements whatever its size: the page of posts, the
total, and all their meta in one query.

Not emulated (the app does not use them): creating, deleting and batch-updating products,
variations, taxonomies (``categories``, ``tags``, ``brands`` are empty, ``type`` is
``simple``), images, related products, and search filters other than those listed in
``_collection_args``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, String, case, delete, func, insert, select, type_coerce, update

from brcc_core.common import clock as app_clock
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE
from brcc_core.sandbox.php import (  # noqa: F401 - re-exported for callers
    _PHP_INT_KEY,
    _PHP_LEADING_NUMBER,
    _PHP_NUMERIC,
    _PHP_TRIM,
    _absint,
    _is_numeric,
    _php_array_hook,
    _php_float_text,
    _php_floatval,
    _php_key,
    _php_object_hook,
    _php_string,
    _php_text,
    _stripslashes,
    _stripslashes_deep,
    is_serialized,
    json_to_php,
    maybe_serialize,
    maybe_unserialize,
    php_identical,
    php_intval,
    php_serialize,
    php_to_json,
    php_unserialize,
)
from brcc_core.sandbox.schema import wordpress_metadata
from brcc_core.sandbox.web import Request, Response

# The WooCommerce version the club's site ran at the May 2025 capture; written to
# ``_product_version`` on save, as WooCommerce does.
WC_VERSION = "9.8.3"
REST_NAMESPACE = "wc/v3"
MAX_PER_PAGE = 100


def _wc_string_to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    text = _php_string(value).lower()
    return text in ("yes", "true", "1")


def _php_ge(a: str, b: str) -> bool:
    """PHP 8's ``>=`` on two strings: numerically when both are numeric."""
    if _is_numeric(a) and _is_numeric(b):
        return float(a) >= float(b)
    return a >= b


def _php_gt(a: str, b: str) -> bool:
    if _is_numeric(a) and _is_numeric(b):
        return float(a) > float(b)
    return a > b


# ---------------------------------------------------------------------------------------
# WooCommerce's product model
# ---------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """A whitespace-separated list written as text (long key lists stay readable)."""
    return tuple(text.split())


# WC_Product_Data_Store_CPT::$internal_meta_keys.
_DATA_STORE_INTERNAL_KEYS = _words(
    """
    _visibility _sku _global_unique_id _price _regular_price _sale_price
    _sale_price_dates_from _sale_price_dates_to total_sales _tax_status _tax_class
    _manage_stock _stock _stock_status _backorders _low_stock_amount _sold_individually
    _weight _length _width _height _upsell_ids _crosssell_ids _purchase_note
    _default_attributes _product_attributes _virtual _downloadable _download_limit
    _download_expiry _featured _downloadable_files _wc_rating_count _wc_average_rating
    _wc_review_count _variation_description _thumbnail_id _file_paths
    _product_image_gallery _product_version _wp_old_slug _edit_last _edit_lock
    _cogs_total_value
    """
)

# WC_Product::$data keys; WC_Data_Store_WP::filter_raw_meta_data hides each with a "_".
_PRODUCT_DATA_KEYS = _words(
    """
    name slug date_created date_modified status featured catalog_visibility description
    short_description sku global_unique_id price regular_price sale_price
    date_on_sale_from date_on_sale_to total_sales tax_status tax_class manage_stock
    stock_quantity stock_status backorders low_stock_amount sold_individually weight
    length width height upsell_ids cross_sell_ids parent_id reviews_allowed purchase_note
    attributes default_attributes menu_order post_password virtual downloadable
    category_ids tag_ids brand_ids shipping_class_id downloads image_id gallery_image_ids
    download_limit download_expiry rating_counts average_rating review_count cogs_value
    customs_commodity_code customs_country_of_origin customs_description
    """
)

INTERNAL_META_KEYS = frozenset(_DATA_STORE_INTERNAL_KEYS) | frozenset(
    key if key.startswith("_") else f"_{key}" for key in _PRODUCT_DATA_KEYS
)


def is_internal_meta_key(key: str | None) -> bool:
    """Hidden from ``meta_data`` (``WC_Data_Store_WP::exclude_internal_meta_keys``)."""
    if key is None:
        return False
    return key in INTERNAL_META_KEYS or key.lower().startswith("wp_")


STOCK_STATUSES = ("instock", "outofstock", "onbackorder")


def _set_low_stock(value: Any) -> Any:
    return "" if value == "" else _absint(value)


def _set_download_limit(value: Any) -> int:
    return -1 if value == "" or php_intval(value) == -1 else _absint(value)


def _set_ids(value: Any) -> list[int]:
    items = value.values() if isinstance(value, dict) else [value]
    return [number for number in (_absint(item) for item in items) if number]


def _set_stock_quantity(value: Any) -> int | None:
    return None if value == "" else php_intval(value)


def _set_stock_status(value: Any) -> str:
    return value if value in STOCK_STATUSES else "instock"


def _set_timestamp(value: Any) -> int | None:
    if value in ("", None) or not _is_numeric(value):
        return None
    return php_intval(value)


def _set_counts(value: Any) -> dict[Any, int]:
    items = value.items() if isinstance(value, dict) else enumerate([value])
    return {key: _absint(item) for key, item in items if _absint(item)}


def _set_gallery(value: Any) -> list[str]:
    return [item for item in _php_string(value).split(",") if item not in ("", "0")]


# (meta key, prop, setter, default, storage kind): WC_Product_Data_Store_CPT's
# $meta_key_to_props with the setter coercion each prop goes through on read and write.
_PROPS: tuple[tuple[str, str, Callable[[Any], Any], Any, str], ...] = (
    ("_sku", "sku", _php_string, "", "str"),
    ("_global_unique_id", "global_unique_id", _php_string, "", "str"),
    ("_regular_price", "regular_price", _php_string, "", "str"),
    ("_sale_price", "sale_price", _php_string, "", "str"),
    ("_sale_price_dates_from", "date_on_sale_from", _set_timestamp, None, "ts"),
    ("_sale_price_dates_to", "date_on_sale_to", _set_timestamp, None, "ts"),
    ("total_sales", "total_sales", _absint, 0, "int"),
    ("_tax_status", "tax_status", _php_string, "taxable", "str"),
    ("_tax_class", "tax_class", _php_string, "", "str"),
    ("_manage_stock", "manage_stock", _wc_string_to_bool, False, "bool"),
    ("_backorders", "backorders", _php_string, "no", "str"),
    ("_low_stock_amount", "low_stock_amount", _set_low_stock, "", "int_or_empty"),
    ("_sold_individually", "sold_individually", _wc_string_to_bool, False, "bool"),
    ("_weight", "weight", _php_string, "", "str"),
    ("_length", "length", _php_string, "", "str"),
    ("_width", "width", _php_string, "", "str"),
    ("_height", "height", _php_string, "", "str"),
    ("_upsell_ids", "upsell_ids", _set_ids, [], "array"),
    ("_crosssell_ids", "cross_sell_ids", _set_ids, [], "array"),
    ("_purchase_note", "purchase_note", _php_string, "", "str"),
    ("_virtual", "virtual", _wc_string_to_bool, False, "bool"),
    ("_downloadable", "downloadable", _wc_string_to_bool, False, "bool"),
    ("_product_image_gallery", "gallery_image_ids", _set_gallery, [], "csv"),
    ("_download_limit", "download_limit", _set_download_limit, -1, "int"),
    ("_download_expiry", "download_expiry", _set_download_limit, -1, "int"),
    ("_thumbnail_id", "image_id", _php_string, "", "str"),
    ("_stock", "stock_quantity", _set_stock_quantity, None, "stock"),
    ("_stock_status", "stock_status", _set_stock_status, "instock", "str"),
    ("_wc_average_rating", "average_rating", _php_string, 0, "str"),
    ("_wc_rating_count", "rating_counts", _set_counts, {}, "array"),
    ("_wc_review_count", "review_count", _absint, 0, "int"),
)
_SETTER = {prop: setter for _key, prop, setter, _default, _kind in _PROPS}
_SETTER["price"] = _php_string

# Internal keys sent in ``meta_data`` that WC_Data::update_meta_data hands to a setter
# (``set_<key without _>``). Other internal keys (``_stock``, ``_thumbnail_id``, ...) have
# no setter and go down the generic meta path, where they land as extra hidden rows.
_META_KEY_SETTERS = {
    "_sku": "sku",
    "_global_unique_id": "global_unique_id",
    "_price": "price",
    "_regular_price": "regular_price",
    "_sale_price": "sale_price",
    "total_sales": "total_sales",
    "_tax_status": "tax_status",
    "_tax_class": "tax_class",
    "_manage_stock": "manage_stock",
    "_stock_status": "stock_status",
    "_backorders": "backorders",
    "_low_stock_amount": "low_stock_amount",
    "_sold_individually": "sold_individually",
    "_weight": "weight",
    "_length": "length",
    "_width": "width",
    "_height": "height",
    "_upsell_ids": "upsell_ids",
    "_purchase_note": "purchase_note",
    "_virtual": "virtual",
    "_downloadable": "downloadable",
    "_download_limit": "download_limit",
    "_download_expiry": "download_expiry",
}

# Props whose change makes WooCommerce rewrite the product's wc_product_meta_lookup row.
_LOOKUP_PROPS = frozenset(
    _words(
        """
    sku global_unique_id regular_price sale_price date_on_sale_from date_on_sale_to
    total_sales average_rating stock_quantity stock_status manage_stock downloadable
    virtual tax_status tax_class
    """
    )
)
_MUST_EXIST_META_KEYS = frozenset(("_tax_class",))

# Post columns the product is read from (post_type/ID for filtering and ordering).
_POST_FIELDS = (
    "ID",
    "post_title",
    "post_name",
    "post_status",
    "post_content",
    "post_excerpt",
    "post_parent",
    "menu_order",
    "post_password",
    "comment_status",
    "post_date_gmt",
    "post_modified_gmt",
)
_DATE_FIELDS = frozenset(("post_date_gmt", "post_modified_gmt"))

# WP_Query's post_status "any" leaves out the statuses registered exclude_from_search.
_EXCLUDED_FROM_ANY = ("trash", "auto-draft")
_LIST_STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")
_EDIT_STATUSES = ("draft", "pending", "private", "publish", "future", "auto-draft", "trash")
_ORDERBY = (
    "date",
    "modified",
    "id",
    "include",
    "title",
    "slug",
    "price",
    "popularity",
    "rating",
    "menu_order",
)


class RestError(Exception):
    """An answer in WordPress REST's error shape, raised anywhere inside a handler."""

    def __init__(self, status: int, code: str, message: str, **data: Any):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.data = data


def _invalid_params(problems: Mapping[str, tuple[str, str]]) -> RestError:
    """WordPress's ``rest_invalid_param`` for {param: (detail code, message)}."""
    return RestError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {', '.join(problems)}",
        params={name: message for name, (_code, message) in problems.items()},
        details={
            name: {"code": code, "message": message, "data": None}
            for name, (code, message) in problems.items()
        },
    )


def _wp_list(items: Iterable[str]) -> str:
    """``wp_sprintf_l``: "a, b, and c"."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


class _Params:
    """Request parameters checked like WordPress's schema validation (``rest_validate_*``
    then ``rest_sanitize_*``); problems are collected and raised together."""

    def __init__(self, values: Mapping[str, Any]):
        self.values = values
        self.problems: dict[str, tuple[str, str]] = {}

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def _fail(self, name: str, code: str, message: str) -> None:
        self.problems.setdefault(name, (code, message))

    def integer(
        self,
        name: str,
        default: int | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self.values.get(name)
        if value is None:
            return default
        if not (_is_numeric(value) and float(value) == round(float(value))):
            self._fail(name, "rest_invalid_type", f"{name} is not of type integer.")
            return default
        number = int(float(value))
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            if minimum is not None and maximum is not None:
                text = f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
            elif minimum is not None:
                text = f"{name} must be greater than or equal to {minimum}"
            else:
                text = f"{name} must be less than or equal to {maximum}"
            self._fail(name, "rest_out_of_bounds", text)
            return default
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        if value is None:
            return None
        valid = (
            isinstance(value, bool)
            or (isinstance(value, str) and value.lower() in ("false", "true", "0", "1"))
            or (isinstance(value, int) and value in (0, 1))
        )
        if not valid:
            self._fail(name, "rest_invalid_type", f"{name} is not of type boolean.")
            return None
        if isinstance(value, str):
            return value.lower() not in ("false", "0")
        return bool(value)

    def string(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self._fail(name, "rest_invalid_type", f"{name} is not of type string.")
            return None
        return value

    def enum(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or value not in choices:
            self._fail(name, "rest_not_in_enum", f"{name} is not one of {_wp_list(choices)}.")
            return default
        return value

    def id_list(self, name: str) -> list[int]:
        value = self.values.get(name)
        if value is None or value == "":
            return []
        items = value if isinstance(value, list) else re.split(r"[\s,]+", str(value).strip())
        ids = []
        for index, item in enumerate(items):
            if not (_is_numeric(item) and float(item) == round(float(item))):
                self._fail(name, "rest_invalid_type", f"{name}[{index}] is not of type integer.")
                continue
            ids.append(int(float(item)))
        return ids

    def check(self) -> None:
        if self.problems:
            raise _invalid_params(self.problems)


# ---------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------


@dataclass
class _MetaRow:
    meta_id: int
    key: str | None
    raw: str | None


@dataclass
class _MetaItem:
    """One entry of ``WC_Data::$meta_data`` while a request edits it."""

    id: int | None
    key: str | None
    value: Any
    original_key: str | None = None
    original_value: Any = None


class _PostMeta:
    """One post's meta rows, written through with WordPress's meta function semantics."""

    def __init__(self, service: WooCommerceService, conn: Connection | None, post_id: int):
        self.s = service
        self.conn = conn
        self.post_id = post_id
        self.rows: list[_MetaRow] = []

    def load(self, rows: Iterable[_MetaRow]) -> _PostMeta:
        self.rows = list(rows)
        return self

    def first(self, key: str) -> Any:
        """``get_post_meta($id, $key, true)``: the first row, unserialized, or ''."""
        for row in self.rows:
            if row.key == key:
                return maybe_unserialize(row.raw)
        return ""

    def all(self, key: str) -> list[Any]:
        return [maybe_unserialize(row.raw) for row in self.rows if row.key == key]

    def exists(self, key: str) -> bool:
        return any(row.key == key for row in self.rows)

    def add(self, key: str, value: Any) -> int:
        """``add_metadata`` after WooCommerce's ``wp_slash``: strings are kept byte for
        byte, other values lose backslashes (``wp_unslash``) and are serialized."""
        if not isinstance(value, str):
            value = _stripslashes_deep(value)
        raw = maybe_serialize(value)
        pm = self.s.postmeta
        result = self.conn.execute(
            insert(pm).values(post_id=self.post_id, meta_key=key, meta_value=raw)
        )
        meta_id = int(result.inserted_primary_key[0])
        self.rows.append(_MetaRow(meta_id, key, raw))
        return meta_id

    def update_by_mid(self, meta_id: int, key: str, value: Any) -> None:
        """``update_metadata_by_mid``: no unslashing, so every string is kept as sent."""
        raw = maybe_serialize(value)
        pm = self.s.postmeta
        self.conn.execute(
            update(pm).where(pm.c.meta_id == meta_id).values(meta_key=key, meta_value=raw)
        )
        for row in self.rows:
            if row.meta_id == meta_id:
                row.key, row.raw = key, raw

    def delete_by_mid(self, meta_id: int) -> None:
        pm = self.s.postmeta
        self.conn.execute(delete(pm).where(pm.c.meta_id == meta_id))
        self.rows = [row for row in self.rows if row.meta_id != meta_id]

    def update_post_meta(self, key: str, value: Any) -> bool:
        """``update_post_meta``: adds the key if missing, else rewrites every row with it;
        a single row already holding the identical value is left alone."""
        if not isinstance(value, str):
            value = _stripslashes_deep(value)
        rows = [row for row in self.rows if row.key == key]
        if not rows:
            self.add(key, value)
            return True
        if len(rows) == 1 and php_identical(maybe_unserialize(rows[0].raw), value):
            return False
        raw = maybe_serialize(value)
        pm = self.s.postmeta
        self.conn.execute(
            update(pm)
            .where(pm.c.post_id == self.post_id, pm.c.meta_key == key)
            .values(meta_value=raw)
        )
        for row in rows:
            row.raw = raw
        return True

    def delete_post_meta(self, key: str) -> bool:
        if not self.exists(key):
            return False
        pm = self.s.postmeta
        self.conn.execute(delete(pm).where(pm.c.post_id == self.post_id, pm.c.meta_key == key))
        self.rows = [row for row in self.rows if row.key != key]
        return True

    def update_or_delete(self, key: str, value: Any) -> bool:
        """``WC_Data_Store_WP::update_or_delete_post_meta``: '' and [] delete the key."""
        empty = value == "" or (isinstance(value, dict | list) and not value)
        if empty and key not in _MUST_EXIST_META_KEYS:
            return self.delete_post_meta(key)
        return self.update_post_meta(key, value)


class WooCommerceService:
    """WooCommerce REST v3 ``/products`` over a WordPress database (``web.Service``)."""

    name = "woocommerce"
    prefix = "/wp-json/wc/v3/"

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        table_prefix: str = "wp_",
        site_url: str = "http://sandbox.invalid",
        timezone: str = SANDBOX_TIMEZONE,
        clock: Callable[[], datetime] | None = None,
    ):
        self._consumer_key = consumer_key
        self._consumer_secret = consumer_secret
        self.table_prefix = table_prefix
        self.site_url = site_url.rstrip("/")
        self.tz = ZoneInfo(timezone)
        self.clock = clock or app_clock.now
        md = wordpress_metadata(table_prefix)
        self.posts = md.tables[f"{table_prefix}posts"]
        self.postmeta = md.tables[f"{table_prefix}postmeta"]
        self.lookup = md.tables[f"{table_prefix}wc_product_meta_lookup"]

    def __repr__(self) -> str:  # never show the credentials
        return f"WooCommerceService(site_url={self.site_url!r}, prefix={self.table_prefix!r})"

    # --- web.Service ----------------------------------------------------------------
    def error(self, status: int, code: str, message: str) -> Response:
        """An error in WordPress REST's JSON shape."""
        return Response.json({"code": code, "message": message, "data": {"status": status}}, status)

    def handle(self, request: Request, conn: Connection) -> Response:
        try:
            return self._dispatch(request, conn)
        except RestError as exc:
            data = {"status": exc.status, **exc.data}
            return Response.json(
                {"code": exc.code, "message": exc.message, "data": data}, exc.status
            )

    # --- dispatch -------------------------------------------------------------------
    def _dispatch(self, request: Request, conn: Connection) -> Response:
        authenticated = self._authenticate(request)

        route = request.path[len(self.prefix) :] if request.path.startswith(self.prefix) else ""
        route = route.rstrip("/")  # WordPress untrailingslashits the REST route
        method = "GET" if request.method == "HEAD" else request.method
        match = re.fullmatch(r"products(?:/(\d+))?", route)
        if match is None or (
            method not in (("GET",) if match.group(1) is None else ("GET", "POST", "PUT", "PATCH"))
        ):
            raise RestError(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        params = self._request_params(request)

        if match.group(1) is None:
            return self._list_products(conn, request, params, authenticated)
        product_id = int(match.group(1))
        if method == "GET":
            return self._get_product(conn, product_id, params, authenticated)
        return self._update_product(conn, product_id, params, authenticated)

    def _authenticate(self, request: Request) -> bool:
        """WC_REST_Authentication::perform_basic_authentication (HTTPS): True when the
        caller is the configured key; a wrong secret for that key is an error, any other
        key is simply not authenticated."""
        key, secret = request.arg("consumer_key") or "", request.arg("consumer_secret") or ""
        if not (_php_nonempty(key) and _php_nonempty(secret)):
            key, secret = "", ""
        if not key:
            user, password = _basic_credentials(request.header("authorization"))
            if _php_nonempty(user) and _php_nonempty(password):
                key, secret = user, password
        if not key or not secret:
            return False
        if not hmac.compare_digest(key.encode("utf-8"), self._consumer_key.encode("utf-8")):
            return False
        if not hmac.compare_digest(secret.encode("utf-8"), self._consumer_secret.encode("utf-8")):
            raise RestError(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )
        return True

    def _request_params(self, request: Request) -> dict[str, Any]:
        """Query parameters overlaid by the body's, as ``WP_REST_Request::get_param``
        orders them (JSON, then form body, then query string)."""
        params: dict[str, Any] = {}
        for name, values in request.query.items():
            if name.endswith("[]"):
                params[name[:-2]] = list(values)
            elif values:
                params[name] = values[0]
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        body = request.body
        if not body:
            return params
        if content_type == "application/json" or content_type.endswith("+json"):
            try:
                decoded = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
            except (UnicodeDecodeError, ValueError) as exc:
                raise RestError(
                    400,
                    "rest_invalid_json",
                    "Invalid JSON body passed.",
                    json_error_code=4,
                    json_error_message="Syntax error",
                ) from exc
            if isinstance(decoded, dict):
                params.update(decoded)
        elif content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            params.update({name: values[0] for name, values in form.items() if values})
        return params

    # --- GET /products ----------------------------------------------------------------
    def _collection_args(self, params: Mapping[str, Any]) -> dict[str, Any]:
        checked = _Params(params)
        args = {
            "page": checked.integer("page", 1, minimum=1),
            "per_page": checked.integer("per_page", 10, minimum=1, maximum=MAX_PER_PAGE),
            "offset": checked.integer("offset"),
            "order": checked.enum("order", ("asc", "desc"), "desc"),
            "orderby": checked.enum("orderby", _ORDERBY, "date"),
            "status": checked.enum("status", _LIST_STATUSES, "any"),
            "include": checked.id_list("include"),
            "exclude": checked.id_list("exclude"),
        }
        checked.check()
        return args

    def _list_products(
        self, conn: Connection, request: Request, params: Mapping[str, Any], authenticated: bool
    ) -> Response:
        args = self._collection_args(params)
        if not authenticated:
            raise RestError(
                401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."
            )

        p = self.posts
        where = [p.c.post_type == "product"]
        if args["status"] == "any":
            where.append(p.c.post_status.notin_(_EXCLUDED_FROM_ANY))
        else:
            where.append(p.c.post_status == args["status"])
        if args["include"]:
            where.append(p.c.ID.in_(args["include"]))
        if args["exclude"]:
            where.append(p.c.ID.notin_(args["exclude"]))

        per_page, page = args["per_page"], args["page"]
        offset = args["offset"] if args["offset"] is not None else (page - 1) * per_page
        query = self._post_select().where(*where)
        query = self._order(query, args).limit(per_page).offset(max(offset, 0))
        posts = [dict(row._mapping) for row in conn.execute(query)]
        total = conn.execute(select(func.count()).select_from(p).where(*where)).scalar_one()
        meta = self._meta_rows(conn, [post["ID"] for post in posts])

        products = [self._product_json(post, meta.get(post["ID"], [])) for post in posts]
        pages = math.ceil(total / per_page) if total else 0
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = self._page_links(request, page, pages)
        if links:
            headers["Link"] = links
        return Response.json(products, 200, headers)

    def _order(self, query, args: Mapping[str, Any]):
        p = self.posts
        descending = args["order"] == "desc"

        def direction(column):
            return column.desc() if descending else column.asc()

        orderby = args["orderby"]
        if orderby == "include" and args["include"]:
            position = case(
                {product_id: index for index, product_id in enumerate(args["include"])},
                value=p.c.ID,
            )
            return query.order_by(position.asc())
        if orderby in ("price", "popularity", "rating"):
            lk = self.lookup
            query = query.outerjoin(lk, lk.c.product_id == p.c.ID)
            if orderby == "price":
                column = lk.c.max_price if descending else lk.c.min_price
                return query.order_by(direction(column), p.c.ID.desc())
            if orderby == "popularity":
                return query.order_by(lk.c.total_sales.desc(), p.c.ID.desc())
            return query.order_by(
                lk.c.average_rating.desc(), lk.c.rating_count.desc(), p.c.ID.desc()
            )
        if orderby == "id":
            return query.order_by(direction(p.c.ID))
        if orderby == "title":
            return query.order_by(direction(p.c.post_title), direction(p.c.ID))
        if orderby == "slug":
            return query.order_by(direction(p.c.post_name), direction(p.c.ID))
        if orderby == "menu_order":
            return query.order_by(p.c.menu_order.asc(), p.c.post_title.asc(), p.c.ID.asc())
        if orderby == "modified":
            return query.order_by(direction(p.c.post_modified), direction(p.c.ID))
        return query.order_by(direction(p.c.post_date), direction(p.c.ID))

    def _page_links(self, request: Request, page: int, pages: int) -> str:
        """The ``Link`` header WooCommerce sends, minus any credentials in the query."""
        kept = [
            (name, value)
            for name, values in request.query.items()
            if name not in ("consumer_key", "consumer_secret", "page")
            for value in values
        ]
        base = f"{self.site_url}/wp-json/{REST_NAMESPACE}/products"
        links = []
        if page > 1:
            prev_page = min(page - 1, pages) if pages else page - 1
            links.append(f'<{base}?{urlencode([*kept, ("page", prev_page)])}>; rel="prev"')
        if pages > page:
            links.append(f'<{base}?{urlencode([*kept, ("page", page + 1)])}>; rel="next"')
        return ", ".join(links)

    # --- GET /products/<id> -------------------------------------------------------------
    def _get_product(
        self, conn: Connection, product_id: int, params: Mapping[str, Any], authenticated: bool
    ) -> Response:
        post = self._load_post(conn, product_id)
        if post is None:
            raise RestError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        if not authenticated:
            raise RestError(
                401, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
        meta = self._meta_rows(conn, [product_id])
        return Response.json(self._product_json(post, meta.get(product_id, [])))

    # --- PUT /products/<id> -------------------------------------------------------------
    def _update_args(self, params: Mapping[str, Any]) -> dict[str, Any]:
        checked = _Params(params)
        args: dict[str, Any] = {}
        for name in (
            "name",
            "slug",
            "description",
            "short_description",
            "post_password",
            "sku",
            "regular_price",
            "sale_price",
            "tax_class",
            "purchase_note",
            "weight",
        ):
            args[name] = checked.string(name)
        for name in ("virtual", "downloadable", "sold_individually", "manage_stock"):
            args[name] = checked.boolean(name)
        args["reviews_allowed"] = checked.boolean("reviews_allowed")
        args["menu_order"] = checked.integer("menu_order")
        args["status"] = checked.enum("status", _EDIT_STATUSES)
        args["tax_status"] = checked.enum("tax_status", ("taxable", "shipping", "none"))
        args["stock_status"] = checked.enum("stock_status", STOCK_STATUSES)
        args["backorders"] = checked.enum("backorders", ("no", "notify", "yes"))
        args["stock_quantity"] = checked.integer("stock_quantity")
        args["low_stock_amount_sent"] = "low_stock_amount" in params
        args["low_stock_amount"] = checked.integer("low_stock_amount")
        args["meta_data"] = self._meta_data_arg(checked, params.get("meta_data"))
        checked.check()
        return args

    @staticmethod
    def _meta_data_arg(checked: _Params, value: Any) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            checked._fail("meta_data", "rest_invalid_type", "meta_data is not of type array.")
            return None
        items = []
        for index, item in enumerate(value):
            where = f"meta_data[{index}]"
            if not isinstance(item, dict):
                checked._fail("meta_data", "rest_invalid_type", f"{where} is not of type object.")
                continue
            entry = dict(item)
            if entry.get("key") is not None and not isinstance(entry["key"], str):
                checked._fail(
                    "meta_data", "rest_invalid_type", f"{where}[key] is not of type string."
                )
                continue
            if entry.get("id") is not None:
                meta_id = entry["id"]
                if not (_is_numeric(meta_id) and float(meta_id) == round(float(meta_id))):
                    checked._fail(
                        "meta_data", "rest_invalid_type", f"{where}[id] is not of type integer."
                    )
                    continue
                entry["id"] = int(float(meta_id))
            items.append(entry)
        return items

    def _update_product(
        self, conn: Connection, product_id: int, params: Mapping[str, Any], authenticated: bool
    ) -> Response:
        args = self._update_args(params)
        post = self._load_post(conn, product_id)
        if post is not None and not authenticated:
            raise RestError(
                401,
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            )
        if post is None:
            # WC_REST_CRUD_Controller::update_item answers an unknown id with a 400.
            raise RestError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")

        store = _PostMeta(self, conn, product_id).load(
            self._meta_rows(conn, [product_id]).get(product_id, [])
        )
        props = self._read_props(store)
        new = dict(props)
        post_changes = self._apply_post_fields(args)
        self._apply_props(new, args)
        items = self._apply_meta_data(store, new, args["meta_data"])
        self._validate_props(new)
        self._save(conn, product_id, store, props, new, post_changes, items)

        post = self._load_post(conn, product_id)
        meta = self._meta_rows(conn, [product_id])
        return Response.json(self._product_json(post, meta.get(product_id, [])))

    @staticmethod
    def _apply_post_fields(args: Mapping[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for arg, column in (
            ("name", "post_title"),
            ("description", "post_content"),
            ("short_description", "post_excerpt"),
            ("slug", "post_name"),
            ("post_password", "post_password"),
            ("status", "post_status"),
            ("menu_order", "menu_order"),
        ):
            if args.get(arg) is not None:
                changes[column] = args[arg]
        if args.get("reviews_allowed") is not None:
            changes["comment_status"] = "open" if args["reviews_allowed"] else "closed"
        return changes

    @staticmethod
    def _apply_props(new: dict[str, Any], args: Mapping[str, Any]) -> None:
        """WC_REST_Products_Controller::prepare_object_for_database, for the props the
        sandbox models (the site's ``woocommerce_manage_stock`` option is on)."""
        for name in ("virtual", "sold_individually", "downloadable"):
            if args[name] is not None:
                new[name] = args[name]
        for name in ("tax_status", "tax_class", "sku", "regular_price", "sale_price"):
            if args[name] is not None:
                new[name] = _SETTER[name](args[name])
        if args["purchase_note"] is not None:
            new["purchase_note"] = args["purchase_note"]
        if args["weight"] is not None:
            new["weight"] = args["weight"]

        stock_status = args["stock_status"] or new["stock_status"]
        if args["manage_stock"] is not None:
            new["manage_stock"] = args["manage_stock"]
        if args["backorders"] is not None:
            new["backorders"] = args["backorders"]
        if new["manage_stock"]:
            new["stock_status"] = _set_stock_status(stock_status)
            if args["stock_quantity"] is not None:
                new["stock_quantity"] = php_intval(args["stock_quantity"])
            if args["low_stock_amount_sent"]:
                amount = args["low_stock_amount"]
                new["low_stock_amount"] = "" if amount is None else _absint(amount)
        else:
            new["manage_stock"] = False
            new["stock_quantity"] = None
            new["stock_status"] = _set_stock_status(stock_status)
            new["low_stock_amount"] = ""

    @staticmethod
    def _apply_meta_data(
        store: _PostMeta, new: dict[str, Any], items: list[dict[str, Any]] | None
    ) -> list[_MetaItem] | None:
        """``WC_Data::update_meta_data`` for each item, on the product's visible meta."""
        if items is None:
            return None
        meta = [
            _MetaItem(row.meta_id, row.key, value, row.key, value)
            for row in store.rows
            if not is_internal_meta_key(row.key)
            for value in [maybe_unserialize(row.raw)]
        ]
        for item in items:
            key = item.get("key")
            value = json_to_php(item.get("value"))
            if key is None or key == "":
                continue  # WordPress's meta functions refuse an empty key
            if key in _META_KEY_SETTERS:
                prop = _META_KEY_SETTERS[key]
                new[prop] = _SETTER[prop](value)
                continue
            target: _MetaItem | None = None
            meta_id = item.get("id")
            if meta_id:
                target = next((m for m in meta if m.id == meta_id), None)
            else:
                matches = [m for m in meta if m.key == key]
                if matches:
                    target = matches[0]
                    for duplicate in matches[1:]:
                        duplicate.value = None
            if target is not None:
                target.key, target.value = key, value
                continue
            for existing in meta:  # add_meta_data( $key, $value, true ): unique
                if existing.key == key:
                    existing.value = None
            meta.append(_MetaItem(None, key, value))
        return meta

    @staticmethod
    def _validate_props(new: dict[str, Any]) -> None:
        """WC_Product::validate_props: unmanaged stock has no quantity; managed stock's
        status follows the quantity (``woocommerce_notify_no_stock_amount`` = 0)."""
        if not new["manage_stock"]:
            new["stock_quantity"] = None
            new["backorders"] = "no"
            new["low_stock_amount"] = ""
            return
        if php_intval(new["stock_quantity"]) > 0:
            new["stock_status"] = "instock"
        elif new["backorders"] != "no":
            new["stock_status"] = "onbackorder"
        else:
            new["stock_status"] = "outofstock"

    def _save(
        self,
        conn: Connection,
        product_id: int,
        store: _PostMeta,
        old: Mapping[str, Any],
        new: dict[str, Any],
        post_changes: Mapping[str, Any],
        items: list[_MetaItem] | None,
    ) -> None:
        """WC_Product_Data_Store_CPT::update: meta_data, post, props, version, lookup."""
        if items is not None:
            for item in items:
                if item.value is None:
                    if item.id:
                        store.delete_by_mid(item.id)
                elif not item.id:
                    item.id = store.add(item.key, item.value)  # type: ignore[arg-type]
                elif item.key != item.original_key or not php_identical(
                    item.value, item.original_value
                ):
                    store.update_by_mid(item.id, item.key, item.value)  # type: ignore[arg-type]

        now = self.clock().astimezone(UTC)
        values = dict(post_changes)
        values["post_modified"] = now.astimezone(self.tz).replace(tzinfo=None, microsecond=0)
        values["post_modified_gmt"] = now.replace(tzinfo=None, microsecond=0)
        posts = self.posts
        conn.execute(update(posts).where(posts.c["ID"] == product_id).values(**values))

        changed = {
            prop
            for prop in new
            if prop in old and not php_identical(_plain(new[prop]), _plain(old[prop]))
        }
        updated: set[str] = set()
        for key, prop, _setter, _default, kind in _PROPS:
            if prop not in changed and store.exists(key):
                continue
            if store.update_or_delete(key, _storage_value(new[prop], kind)):
                updated.add(prop)
        store.update_post_meta("_product_version", WC_VERSION)

        if updated & {"regular_price", "sale_price", "date_on_sale_from", "date_on_sale_to"}:
            sale, regular = new["sale_price"], new["regular_price"]
            if sale != "" and _php_ge(sale, regular):
                store.update_post_meta("_sale_price", "")
                new["sale_price"] = sale = ""
            on_sale = sale != "" and _php_gt(regular, sale)
            store.update_post_meta("_price", sale if on_sale else regular)
            new["price"] = sale if on_sale else regular
        if updated & _LOOKUP_PROPS:
            self._write_lookup(conn, product_id, store)

    def _write_lookup(self, conn: Connection, product_id: int, store: _PostMeta) -> None:
        """WC_Product_Data_Store_CPT::get_data_for_lookup_table, then REPLACE INTO."""
        prices = store.all("_price")
        manage = store.first("_manage_stock") == "yes"
        stock = php_intval(store.first("_stock")) if manage else None
        price = _php_string(store.first("_price"))
        sale = _php_string(store.first("_sale_price"))
        counts = store.first("_wc_rating_count")
        row = {
            "product_id": product_id,
            "sku": _php_string(store.first("_sku")),
            "global_unique_id": _php_string(store.first("_global_unique_id")),
            "virtual": 1 if store.first("_virtual") == "yes" else 0,
            "downloadable": 1 if store.first("_downloadable") == "yes" else 0,
            "min_price": _decimal(prices[0]) if prices else None,
            "max_price": _decimal(prices[-1]) if prices else None,
            "onsale": 1 if sale not in ("", "0") and price == sale else 0,
            "stock_quantity": float(stock) if stock is not None else None,
            "stock_status": _php_string(store.first("_stock_status")),
            "rating_count": sum(
                php_intval(v) for v in (counts.values() if isinstance(counts, dict) else [counts])
            ),
            "average_rating": _decimal(store.first("_wc_average_rating")) or Decimal("0"),
            "total_sales": php_intval(store.first("total_sales")),
            "tax_status": _php_string(store.first("_tax_status")),
            "tax_class": _php_string(store.first("_tax_class")),
        }
        conn.execute(delete(self.lookup).where(self.lookup.c.product_id == product_id))
        conn.execute(insert(self.lookup).values(**row))

    # --- reading ------------------------------------------------------------------------
    def _post_select(self):
        p = self.posts
        columns = [
            type_coerce(p.c[name], String()).label(name) if name in _DATE_FIELDS else p.c[name]
            for name in _POST_FIELDS
        ]
        return select(*columns)

    def _load_post(self, conn: Connection, product_id: int) -> dict[str, Any] | None:
        """``wc_get_product``: a post of type ``product`` (any status), else None."""
        p = self.posts
        row = conn.execute(
            self._post_select().where(p.c["ID"] == product_id, p.c.post_type == "product")
        ).first()
        return dict(row._mapping) if row is not None else None

    def _meta_rows(self, conn: Connection, post_ids: list[int]) -> dict[int, list[_MetaRow]]:
        """All meta of ``post_ids`` in one query, per post in ``meta_id`` order."""
        if not post_ids:
            return {}
        pm = self.postmeta
        rows = conn.execute(
            select(pm.c.post_id, pm.c.meta_id, pm.c.meta_key, pm.c.meta_value)
            .where(pm.c.post_id.in_(post_ids))
            .order_by(pm.c.meta_id)
        )
        grouped: dict[int, list[_MetaRow]] = {post_id: [] for post_id in post_ids}
        for post_id, meta_id, key, raw in rows:
            grouped.setdefault(int(post_id), []).append(_MetaRow(int(meta_id), key, raw))
        return grouped

    @staticmethod
    def _read_props(store: _PostMeta) -> dict[str, Any]:
        """WC_Product_Data_Store_CPT::read_product_data: each prop from its key's first
        row, unserialized, through its setter; a missing or NULL row keeps the default."""
        first: dict[str, str | None] = {}
        for row in store.rows:
            if row.key is not None and row.key not in first:
                first[row.key] = row.raw
        props: dict[str, Any] = {}
        for key, prop, setter, default, _kind in _PROPS:
            value = maybe_unserialize(first.get(key))
            props[prop] = setter(value) if value is not None else _copy(default)
        price = maybe_unserialize(first.get("_price"))
        props["price"] = _php_string(price) if price is not None else ""
        return props

    def _product_json(self, post: Mapping[str, Any], rows: list[_MetaRow]) -> dict[str, Any]:
        """One product as WC_REST_Products_Controller returns it (reference key order)."""
        store = _PostMeta(self, None, int(post["ID"])).load(rows)
        props = self._read_props(store)
        product_id = int(post["ID"])
        status = post["post_status"]
        slug = post["post_name"] or ""
        created = _parse_wp_datetime(post["post_date_gmt"])
        modified = _parse_wp_datetime(post["post_modified_gmt"])
        sale_from = _from_timestamp(props["date_on_sale_from"])
        sale_to = _from_timestamp(props["date_on_sale_to"])
        price, regular, sale = props["price"], props["regular_price"], props["sale_price"]
        on_sale = self._is_on_sale(regular, sale, sale_from, sale_to)
        manage = props["manage_stock"]
        stock_status = props["stock_status"]
        backorders = props["backorders"]
        backorders_allowed = backorders in ("yes", "notify")
        quantity = props["stock_quantity"]
        virtual = props["virtual"]
        tax_status = props["tax_status"]
        if status == "publish":
            permalink = f"{self.site_url}/product/{slug}/"
        else:
            permalink = f"{self.site_url}/?post_type=product&p={product_id}"
        meta_data = []
        for row in rows:
            if is_internal_meta_key(row.key):
                continue
            value = maybe_unserialize(row.raw)
            if value is None:
                continue  # WC_Data::get_meta_data filters null values
            meta_data.append({"id": row.meta_id, "key": row.key, "value": php_to_json(value)})
        rating_counts = props["rating_counts"]
        low_stock = props["low_stock_amount"]
        base = f"{self.site_url}/wp-json/{REST_NAMESPACE}/products"
        return {
            "id": product_id,
            "name": post["post_title"] or "",
            "slug": slug,
            "permalink": permalink,
            "date_created": self._local(created),
            "date_created_gmt": _iso(created),
            "date_modified": self._local(modified),
            "date_modified_gmt": _iso(modified),
            "type": "simple",
            "status": status,
            "featured": False,
            "catalog_visibility": "visible",
            "description": post["post_content"] or "",
            "short_description": post["post_excerpt"] or "",
            "sku": props["sku"],
            "price": price,
            "regular_price": regular,
            "sale_price": sale,
            "date_on_sale_from": self._local(sale_from),
            "date_on_sale_from_gmt": _iso(sale_from),
            "date_on_sale_to": self._local(sale_to),
            "date_on_sale_to_gmt": _iso(sale_to),
            "on_sale": on_sale,
            # The API key's user can edit the product, so only an empty price stops it.
            "purchasable": price != "",
            "total_sales": props["total_sales"],
            "virtual": virtual,
            "downloadable": props["downloadable"],
            "downloads": [],
            "download_limit": props["download_limit"],
            "download_expiry": props["download_expiry"],
            "external_url": "",
            "button_text": "",
            "tax_status": tax_status,
            "tax_class": props["tax_class"],
            "manage_stock": manage,
            "stock_quantity": quantity,
            "backorders": backorders,
            "backorders_allowed": backorders_allowed,
            "backordered": stock_status == "onbackorder"
            or (manage and backorders_allowed and quantity is not None and quantity < 0),
            "low_stock_amount": None if low_stock == "" else low_stock,
            "sold_individually": props["sold_individually"],
            "weight": props["weight"],
            "dimensions": {
                "length": props["length"],
                "width": props["width"],
                "height": props["height"],
            },
            "shipping_required": not virtual,
            "shipping_taxable": (not virtual) and tax_status in ("taxable", "shipping"),
            "shipping_class": "",
            "shipping_class_id": 0,
            "reviews_allowed": post["comment_status"] == "open",
            "average_rating": f"{_php_floatval(props['average_rating']):.2f}",
            "rating_count": sum(rating_counts.values()),
            "upsell_ids": props["upsell_ids"],
            "cross_sell_ids": props["cross_sell_ids"],
            "parent_id": int(post["post_parent"] or 0),
            "purchase_note": props["purchase_note"],
            "categories": [],
            "tags": [],
            "images": [],
            "attributes": [],
            "default_attributes": [],
            "variations": [],
            "grouped_products": [],
            "menu_order": int(post["menu_order"] or 0),
            "price_html": _price_html(price, regular, sale, on_sale),
            "related_ids": [],
            "meta_data": meta_data,
            "stock_status": stock_status,
            "has_options": False,
            "post_password": post["post_password"] or "",
            "global_unique_id": props["global_unique_id"],
            "brands": [],
            "_links": {
                "self": [{"href": f"{base}/{product_id}"}],
                "collection": [{"href": base}],
            },
        }

    def _is_on_sale(
        self, regular: str, sale: str, sale_from: datetime | None, sale_to: datetime | None
    ) -> bool:
        if sale == "" or not _php_gt(regular, sale):
            return False
        now = self.clock().astimezone(UTC).replace(tzinfo=None)
        if sale_from is not None and sale_from > now:
            return False
        return not (sale_to is not None and sale_to < now)

    def _local(self, moment: datetime | None) -> str | None:
        """A GMT moment in the site's timezone, as ``wc_rest_prepare_date_response``."""
        if moment is None:
            return None
        local = moment.replace(tzinfo=UTC).astimezone(self.tz)
        return local.strftime("%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def _php_nonempty(value: str) -> bool:
    """PHP's ``! empty()`` on a string ("" and "0" are empty)."""
    return value not in ("", "0")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _basic_credentials(header: str | None) -> tuple[str, str]:
    """PHP_AUTH_USER / PHP_AUTH_PW from a Basic ``Authorization`` header."""
    if not header or header[:6].lower() != "basic ":
        return "", ""
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    user, _, password = decoded.partition(":")
    return user, password


def _parse_wp_datetime(value: Any) -> datetime | None:
    """A WordPress DATETIME column (zero date = none) as a naive datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    text = str(value)[:19]
    if text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment is not None else None


def _from_timestamp(timestamp: int | None) -> datetime | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


def _decimal(value: Any) -> Decimal | None:
    if not _is_numeric(value):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _copy(value: Any) -> Any:
    return (
        dict(value)
        if isinstance(value, dict)
        else list(value)
        if isinstance(value, list)
        else value
    )


def _plain(value: Any) -> Any:
    """Prop values compared as PHP holds them (lists are arrays)."""
    return json_to_php(value) if isinstance(value, list) else value


def _storage_value(value: Any, kind: str) -> Any:
    """What WC_Product_Data_Store_CPT::update_post_meta hands WordPress for a prop."""
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "ts":
        return "" if value is None else value
    if kind == "csv":
        return ",".join(str(item) for item in value)
    if kind == "array":
        return json_to_php(value) if isinstance(value, list) else value
    return value  # str, int, int_or_empty, stock (None is stored as NULL)


def _wc_price(amount: str) -> str:
    number = _php_floatval(amount)
    sign = "-" if number < 0 else ""
    return (
        f'{sign}<span class="woocommerce-Price-amount amount"><bdi>'
        f'<span class="woocommerce-Price-currencySymbol">&#36;</span>{abs(number):,.2f}'
        "</bdi></span>"
    )


def _price_html(price: str, regular: str, sale: str, on_sale: bool) -> str:
    """WC_Product::get_price_html for a simple product (prices shown without tax)."""
    if price == "":
        return ""
    if not on_sale:
        return _wc_price(price)
    plain_regular = f"&#36;{abs(_php_floatval(regular)):,.2f}"
    plain_sale = f"&#36;{abs(_php_floatval(sale)):,.2f}"
    return (
        f'<del aria-hidden="true">{_wc_price(regular)}</del> '
        f'<span class="screen-reader-text">Original price was: {plain_regular}.</span>'
        f'<ins aria-hidden="true">{_wc_price(sale)}</ins>'
        f'<span class="screen-reader-text">Current price is: {plain_sale}.</span>'
    )
