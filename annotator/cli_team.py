"""The team commands of the command line: `team init`, `assign`, `merge` (annotator.cli wires them in)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from annotator.errors import UsageError

if TYPE_CHECKING:
    from annotator.services.workspace import Workspace

COMMANDS = ("team", "assign", "merge")


def add_parsers(sub: argparse._SubParsersAction) -> list[argparse._SubParsersAction]:
    """The team commands' parsers; returns the groups of sub-actions (team's), which take the global options too."""
    p = sub.add_parser("team", help="PostgreSQL team mode: roles and row-level security (run by the lead)")
    tsub = p.add_subparsers(dest="team_command", metavar="ACTION")
    a = tsub.add_parser("init", help="create the team's roles (without passwords), grants and policies; idempotent")
    a.add_argument("--annotators", required=True, metavar="NAMES", help="comma-separated: ana,ben,cy")
    a.add_argument("--lead", metavar="NAME", help="the lead's login role (may write gold, labels, assignments)")

    p = sub.add_parser("assign", help="hand documents to annotators (their queues), or take one from the open queue")
    p.add_argument("--annotators", metavar="NAMES", help="comma-separated: ana,ben,cy")
    p.add_argument("--per-document", type=int, default=1, metavar="K", help="annotators per document (default 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--open", action="store_true",
                   help="give --annotator the next document nobody has yet (the open queue)")

    p = sub.add_parser("merge", help="bring another annotator database's people, spans and statuses into the project")
    p.add_argument("other", metavar="OTHER.db")
    p.add_argument("--annotator-prefix", default="", metavar="P",
                   help="put P before each merged annotator's name (keeps apart people who share a name)")
    return [tsub]


def run(ws: Workspace, args: argparse.Namespace, project: str, annotator: str) -> int:
    if args.command == "team":
        return _team(ws, args)
    if args.command == "assign":
        return _assign(ws, args, project, annotator)
    from annotator.services.merging import merge_database

    summary = merge_database(ws, args.other, project=project, prefix=args.annotator_prefix)
    for line in summary.lines():
        print(line)
    return 0


def _team(ws: Workspace, args: argparse.Namespace) -> int:
    from annotator.services.team import init_team, split_names

    if args.team_command != "init":
        raise UsageError("team needs an action", hint="annotator team init --annotators ana,ben [--lead lea]")
    setup = init_team(ws, lead=args.lead, annotators=split_names(args.annotators))
    print(f"team roles on {ws.where}: annotators in {setup.roles.annotators}, the lead in {setup.roles.lead}; "
          "grants and row-level security policies are in place")
    made = [name for name in setup.created if name not in (setup.roles.annotators, setup.roles.lead)]
    if made:
        print(f"created login roles without a password: {', '.join(made)}")
        print("set each one's password as the lead, e.g. in psql: \\password ana  (or ALTER ROLE ana PASSWORD "
              "'...'); each person keeps it in ~/.pgpass or PGPASSWORD, annotator never stores it")
    if setup.existing:
        print(f"existing roles joined the team: {', '.join(setup.existing)}")
    return 0


def _assign(ws: Workspace, args: argparse.Namespace, project: str, annotator: str) -> int:
    from annotator.services.team import assign, split_names, take_open

    if args.open:
        taken = take_open(ws, project, annotator)
        print(f"{annotator} takes document {taken}" if taken is not None
              else "no document is left that nobody has")
        return 0
    if not args.annotators:
        raise UsageError("assign needs --annotators (or --open)", hint="e.g. --annotators ana,ben,cy --per-document 2")
    summary = assign(ws, project, split_names(args.annotators), per_document=args.per_document, seed=args.seed)
    for line in summary.lines():
        print(line)
    return 0
