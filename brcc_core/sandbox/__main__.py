"""Command line for the sandbox.

    python -m brcc_core.sandbox seed  --db URL --scale club|large [--seed N] [--today DATE]
    python -m brcc_core.sandbox serve --db URL --port N [--latency-wc S] [--latency-eb S]

``seed`` rebuilds the club from scratch (re-running is safe). ``serve`` answers the real
API paths (``/wp-json/wc/v3/...``, ``/v3/...``) on a loopback port until interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date

from brcc_core.sandbox.constants import (
    SANDBOX_EB_ORGANIZATION_ID,
    SANDBOX_EB_TOKEN,
    SANDBOX_HISTORY_WEEKS,
    SANDBOX_WC_CONSUMER_KEY,
    SANDBOX_WC_CONSUMER_SECRET,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m brcc_core.sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    seed = sub.add_parser("seed", help="rebuild the sandbox club in a database")
    seed.add_argument("--db", required=True, help="SQLAlchemy URL, e.g. sqlite:///data/sandbox.db")
    seed.add_argument("--scale", choices=("club", "large"), default="club")
    seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    seed.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="anchor date YYYY-MM-DD (default: today in the club timezone)",
    )
    seed.add_argument(
        "--history-weeks",
        type=int,
        default=SANDBOX_HISTORY_WEEKS,
        help=f"weeks of past weekly shows with their sales (default {SANDBOX_HISTORY_WEEKS})",
    )

    serve = sub.add_parser("serve", help="serve the emulated APIs on a loopback port")
    serve.add_argument("--db", required=True, help="SQLAlchemy URL of a sandbox database")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    serve.add_argument(
        "--scale",
        choices=("club", "large"),
        default="club",
        help="scale to seed with when the database is empty",
    )
    serve.add_argument(
        "--latency-wc",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="added latency per WooCommerce call",
    )
    serve.add_argument(
        "--latency-eb",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="added latency per Eventbrite call",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from sqlalchemy.exc import SQLAlchemyError

    from brcc_core.sandbox.twin import Sandbox, SandboxError

    try:
        if args.command == "seed":
            started = time.perf_counter()
            sandbox = Sandbox.open(args.db, seed_if_empty=False)
            summary = sandbox.seed(
                scale=args.scale,
                seed_number=args.seed,
                today=args.today,
                history_weeks=args.history_weeks,
            )
            print(summary)
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            return 0
        return _serve(args, Sandbox)
    except (SandboxError, SQLAlchemyError) as exc:
        message = str(exc) if isinstance(exc, SandboxError) else type(exc).__name__
        print(f"sandbox: cannot use the database: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _serve(args: argparse.Namespace, sandbox_cls) -> int:
    from brcc_core.sandbox.app import make_http_server

    sandbox = sandbox_cls.open(args.db, scale=args.scale)
    sandbox.faults.latency.update(woocommerce=args.latency_wc, eventbrite=args.latency_eb)
    try:
        server = make_http_server(sandbox.app, args.host, args.port)
    except OSError as exc:
        print(f"sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    base = f"http://{host}:{port}"
    print(f"WooCommerce REST v3: {base}/wp-json/wc/v3/products", flush=True)
    print(f"  demo key {SANDBOX_WC_CONSUMER_KEY} / secret {SANDBOX_WC_CONSUMER_SECRET}")
    print(f"Eventbrite v3:       {base}/v3/organizations/{SANDBOX_EB_ORGANIZATION_ID}/events/")
    print(f"  demo token {SANDBOX_EB_TOKEN}")
    print("Ctrl-C stops.", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
