#!/usr/bin/env python3
"""Run localstripe on 127.0.0.1:<port> with disk persistence disabled.

Usage: python scripts/localstripe-peer.py PORT

Upstream `localstripe` (server.start()) binds an AF_INET6 socket on '::' and
pickles its whole store to a file in the temp folder on every store write
(Store.__setitem__/__delitem__) and after every POST/PUT/DELETE
(save_store_middleware), and loads that pickle at startup unless
--from-scratch is given.  Here we:
  * never call store.try_load_from_disk()  -> always start empty
  * replace Store.dump_to_disk / try_load_from_disk with no-ops on the class
    (covers both Store.__setitem__ and the middleware, which call it through
    the single module-level `store` instance)
  * reuse the module-level aiohttp app `localstripe.server.app` (built at
    import time, routes + middlewares already attached) with
    web.run_app(app, host="127.0.0.1", port=PORT).
"""
import logging
import sys

from aiohttp import web

import localstripe.resources as resources

# Must be patched before anything writes to the store.
resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None

from localstripe.server import app  # noqa: E402  (import builds the app)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: run_localstripe.py PORT")
    port = int(sys.argv[1])

    # Same access logging as upstream; webhook delivery results are also
    # logged to 'aiohttp.access' by localstripe.webhooks.
    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(logging.StreamHandler())

    web.run_app(app, host="127.0.0.1", port=port, access_log=logger,
                print=lambda *a: print(*a, flush=True))


if __name__ == "__main__":
    main()
