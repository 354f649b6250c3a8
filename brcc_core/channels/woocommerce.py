"""WooCommerce REST API v3 client: products in, capacity changes out.

Reads every product 100 a page (WooCommerce has no filter for FooEvents meta, so the
caller classifies) and writes one product at a time with ``PUT`` (never retried).

Auth: HTTP Basic first. Some hosts strip the ``Authorization`` header before PHP sees
it; WooCommerce then treats the call as anonymous and answers 401 with a permission
code (``woocommerce_rest_cannot_view`` ...). On that answer the client switches once,
for its whole life, to the documented fallback: ``consumer_key`` / ``consumer_secret``
query parameters. A wrong secret (``woocommerce_rest_authentication_error``) raises
``AuthError`` without switching. URLs holding the secret never reach a message or log.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import requests

from brcc_core.channels.fooevents import FBOS_META_KEY
from brcc_core.channels.http import (
    DEFAULT_TIMEOUT,
    ApiClient,
    AuthError,
    IntegrationError,
    Progress,
    UpstreamError,
)
from brcc_core.common.club import Channel
from brcc_core.common.secret import Secret
from brcc_core.common.values import whole_number

log = logging.getLogger(__name__)

API_PATH = "/wp-json/wc/v3"
PER_PAGE = 100
# Stop a runaway walk (a host ignoring ``page``) long before it hurts anyone.
MAX_PAGES = 1000

AuthMode = Literal["basic", "query"]

# 401 codes WooCommerce gives an *anonymous* call: with valid keys that means the
# Authorization header never reached PHP. (An unknown consumer key looks the same to
# WooCommerce, so after the one fallback a 401 is reported as a rejected key.)
HEADER_NEVER_ARRIVED = frozenset(
    {
        "woocommerce_rest_cannot_view",
        "woocommerce_rest_cannot_edit",
        "woocommerce_rest_cannot_create",
        "woocommerce_rest_cannot_delete",
        "woocommerce_rest_authentication_missing",
        "rest_not_logged_in",
        "rest_forbidden",
    }
)


class WooCommerceClient(ApiClient):
    """The club's WooCommerce store over REST v3.

    ``calls`` counts HTTP requests made, automatic read retries included.
    ``auth_mode`` is ``"basic"`` or, after the header-stripping fallback, ``"query"``.
    """

    channel = Channel.WOOCOMMERCE

    def __init__(
        self,
        base_url: str,
        consumer_key: str | Secret,
        consumer_secret: str | Secret,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        site = base_url.rstrip("/")
        if site.endswith(API_PATH):
            site = site[: -len(API_PATH)]
        super().__init__(site, session=session, timeout=timeout)
        self._key = consumer_key if isinstance(consumer_key, Secret) else Secret(consumer_key)
        self._secret = (
            consumer_secret if isinstance(consumer_secret, Secret) else Secret(consumer_secret)
        )
        self.auth_mode: AuthMode = "basic"
        self._fallback_tried = False

    def __repr__(self) -> str:
        return (
            f"WooCommerceClient(base_url={self.base_url!r}, auth_mode={self.auth_mode!r}, "
            f"calls={self.calls})"
        )

    # Reads -----------------------------------------------------------------------------
    def list_products(self, *, progress: Progress | None = None) -> list[dict]:
        """Every product of the store, ``per_page=100``, pages walked by ``X-WP-TotalPages``.

        One call per page and never a per-product follow-up. Ordered by id so a product
        created during the walk lands on the last page instead of shifting the others.
        ``progress(done_pages, total_pages)`` after each page.
        """
        products: list[dict] = []
        seen: set[Any] = set()
        page = 1
        total_pages: int | None = None
        while True:
            params = {"per_page": PER_PAGE, "page": page, "orderby": "id", "order": "asc"}
            response, body = self._call("GET", "/products", params=params)
            if not isinstance(body, list):
                raise self._unexpected("GET", "/products", "a list of products")
            if total_pages is None:
                total_pages = whole_number(response.headers.get("X-WP-TotalPages"))
            for product in body:
                key = product.get("id") if isinstance(product, dict) else None
                if key is None or key not in seen:
                    seen.add(key)
                    products.append(product)
            if progress is not None:
                progress(page, total_pages)
            if total_pages is not None:
                if page >= total_pages:
                    break
            elif len(body) < PER_PAGE:
                break  # no header: a short page is the last one
            if not body or page >= MAX_PAGES:
                break
            page += 1
        return products

    def get_product(self, product_id: int | str) -> dict:
        """One product, fresh (used right before and after a write)."""
        path = f"/products/{_product_id(product_id)}"
        _, body = self._call("GET", path)
        if not isinstance(body, dict):
            raise self._unexpected("GET", path, "a product")
        return body

    def ping(self) -> None:
        """One cheap authenticated read for the health panel; raises IntegrationError."""
        self._call("GET", "/products", params={"per_page": 1})

    # Writes ----------------------------------------------------------------------------
    def update_product(self, product_id: int | str, payload: dict) -> dict:
        """``PUT /products/<id>`` with ``payload``; the product as WooCommerce saved it.

        Never retried automatically: WooCommerce has no conditional update, so a second
        send could overwrite a change made in between. The FooEvents bookings blob must
        be a JSON *string*: an object is stored PHP-serialized and takes the site down,
        so such a payload is refused before anything is sent.
        """
        for meta in payload.get("meta_data") or []:
            if (
                isinstance(meta, dict)
                and meta.get("key") == FBOS_META_KEY
                and not isinstance(meta.get("value"), str)
            ):
                kind = type(meta["value"]).__name__
                raise ValueError(f"{FBOS_META_KEY} must be sent as a JSON string, not {kind}")
        path = f"/products/{_product_id(product_id)}"
        _, body = self._call("PUT", path, json=payload)
        if not isinstance(body, dict):
            raise self._unexpected("PUT", path, "the saved product")
        return body

    # Plumbing --------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> tuple[requests.Response, Any]:
        """One API call with auth and the one-time Basic → query-string fallback."""
        response = self._send_auth(method, path, params, json)
        if (
            response.status_code == 401
            and self.auth_mode == "basic"
            and not self._fallback_tried
            and self._error_code(response) in HEADER_NEVER_ARRIVED
        ):
            # A 401 is refused before anything is written, so repeating even a PUT is safe.
            self._fallback_tried = True
            self.auth_mode = "query"
            log.warning(
                "WooCommerce did not receive the Authorization header (the host strips it); "
                "using query-string authentication from now on"
            )
            response = self._send_auth(method, path, params, json)
        if not response.ok:
            raise self._error_from_response(response, method, path)
        return response, self._json(response, method, API_PATH + path)

    def _send_auth(
        self, method: str, path: str, params: dict[str, Any] | None, json: Any
    ) -> requests.Response:
        query = dict(params or {})
        auth = None
        if self.auth_mode == "query":
            query["consumer_key"] = self._key.reveal()
            query["consumer_secret"] = self._secret.reveal()
        else:
            auth = (self._key.reveal(), self._secret.reveal())
        return self._send(method, API_PATH + path, params=query or None, json=json, auth=auth)

    def _error_code(self, response: requests.Response) -> str | None:
        code = self._error_body(response).get("code")
        return code if isinstance(code, str) else None

    def _error_from_response(
        self, response: requests.Response, method: str, path: str
    ) -> IntegrationError:
        body = self._error_body(response)
        code = body.get("code") if isinstance(body.get("code"), str) else None
        detail = body.get("message") if isinstance(body.get("message"), str) else ""
        api_path = API_PATH + path
        if response.status_code in (401, 403):
            reason = f" ({detail})" if detail else ""
            return AuthError(
                self.channel,
                f"WooCommerce rejected the API key{reason}. Check BRCC_WC_CONSUMER_KEY and "
                "BRCC_WC_CONSUMER_SECRET, and that the key has read/write permission.",
                status=response.status_code,
                code=code,
                method=method,
                path=api_path,
            )
        return self._status_error(response, method, api_path, code=code, detail=detail)

    def _unexpected(self, method: str, path: str, wanted: str) -> UpstreamError:
        return UpstreamError(
            self.channel,
            f"WooCommerce answered {method} {API_PATH}{path} with JSON that is not {wanted}.",
            method=method,
            path=API_PATH + path,
        )


def _product_id(product_id: int | str) -> int:
    """A product id as WooCommerce's route wants it (digits); refuse anything else."""
    if isinstance(product_id, bool):
        raise ValueError("product id must be a number")
    value = int(product_id)
    if value <= 0:
        raise ValueError("product id must be positive")
    return value
