"""``python -m crawler`` commands that run nights: ``demo``, ``run``, ``seed``, ``writer``, ``health``, ``cron``."""
from __future__ import annotations

import sys

from crawler import settings


def _demo(args) -> int:
    from crawler.ops.demo import run_demo

    return run_demo(args.db)


def _run(args) -> int:
    from crawler.ops.runner import run_all

    return run_all(args.sites or None, cron=args.cron)


def _jobs(args) -> list[tuple[str, dict]]:
    if args.spider:
        return [(args.spider, dict(a.split("=", 1) for a in args.arg))]
    from crawler.registry import registry

    return [(s.key, {}) for s in registry().values() if s.enabled and (not args.sites or s.key in args.sites)]


def _seed(args) -> int:
    from crawler.distributed.seed import seed
    from crawler.ops.runner import project_settings

    jobs = _jobs(args)
    unknown = set(args.sites or ()) - {name for name, _ in jobs}
    if unknown or not jobs:
        print(f"seed: unknown or disabled sites: {', '.join(sorted(unknown))}" if unknown else
              "seed: no site to seed (the registry has no enabled site)", file=sys.stderr)
        return 2
    queued = seed(jobs, project_settings())
    for name, count in sorted(queued.items()):
        print(f"{name:<24} {count:>5} requests queued")
    print(f"{len(queued)} spiders seeded; start workers with CCHC_REDIS_URL set, and one writer")
    return 0


def _writer(args) -> int:
    from crawler.distributed.writer import Writer
    from crawler.ops.runner import project_settings

    settings = project_settings()
    if not settings.get("CCHC_REDIS_URL"):
        print("error: set CCHC_REDIS_URL (e.g. redis://127.0.0.1:6379/0)", file=sys.stderr)
        return 2
    writer = Writer(settings.get("CCHC_REDIS_URL"), args.db or settings.get("CCHC_DB"),
                    settings.get("CCHC_REDIS_PREFIX"), run_ttl=settings.getint("CCHC_REDIS_RUN_TTL"))
    status = writer.run(until_done=not args.forever, wait_workers=args.wait_workers)
    print(f"writer: {writer.summary()}")
    return status


def _health(args) -> int:
    from crawler.monitor.health import print_health

    return print_health(args.db, show_never=args.all)


def _cron(args) -> int:
    from crawler.ops import cron

    if args.action == "install":
        print("installed:", cron.install(args.at, args.db, args.tabfile, args.mailto))
    elif args.action == "show":
        entries = cron.show(args.tabfile)
        print("\n".join(entries) if entries else "no cchc-crawler entry in the crontab")
    else:
        print(f"removed {cron.remove(args.tabfile)} entr(ies)")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("demo", help="crawl the bundled offline mirror into output/demo.db")
    p.add_argument("--db", default="output/demo.db")
    p.set_defaults(func=_demo)
    p = sub.add_parser("run", help="crawl every enabled registry site into CCHC_DB")
    p.add_argument("sites", nargs="*", help="registry keys (default: all enabled)")
    p.add_argument("--cron", action="store_true",
                   help="print nothing on a good night, the summary when a site is not ok or quiet (what cron mails)")
    p.set_defaults(func=_run)
    p = sub.add_parser("seed", help="distributed crawl: queue tonight's start pages in Redis (CCHC_REDIS_URL)")
    p.add_argument("sites", nargs="*", help="registry keys (default: all enabled)")
    p.add_argument("--spider", help="seed this spider instead of registry sites (e.g. generic)")
    p.add_argument("-a", dest="arg", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    p.set_defaults(func=_seed)
    p = sub.add_parser("writer", help="distributed crawl: write the workers' items into CCHC_DB, until the run ends")
    p.add_argument("--db", help="database path (default: CCHC_DB or output/cchc.db)")
    p.add_argument("--forever", action="store_true", help="keep draining after the run has ended")
    p.add_argument("--wait-workers", type=float, default=600,
                   help="give up (exit 3) when work is left and no worker has been alive this many seconds")
    p.set_defaults(func=_writer)
    p = sub.add_parser("health", help="site health from crawl_runs; exit status 1 when any site is failing")
    p.add_argument("db", nargs="?", default=settings.CCHC_DB)
    p.add_argument("--all", action="store_true", help="also list sites that were never crawled")
    p.set_defaults(func=_health)
    p = sub.add_parser("cron", help="install, show or remove the nightly crontab entry")
    p.add_argument("action", choices=["install", "show", "remove"])
    p.add_argument("--at", default="02:30", help="time of day, HH:MM (install)")
    p.add_argument("--db", help="database path for the nightly run (default: CCHC_DB or output/cchc.db)")
    p.add_argument("--tabfile", help="edit this crontab file instead of the user's crontab")
    p.add_argument("--mailto", help="address cron mails a failing night's summary to (sets MAILTO in the crontab)")
    p.set_defaults(func=_cron)
