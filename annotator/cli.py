"""The command line: `annotator` opens the window; subcommands import, export, report and edit labels."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from annotator import __version__
from annotator.domain.names import printable
from annotator.domain.records import LONE_SURROGATE
from annotator.errors import AnnotatorError, CommandLineError, UsageError

if TYPE_CHECKING:  # the services (and SQLAlchemy under them) stay off the start-up path
    from annotator.services.workspace import Workspace

FORMAT_CHOICES = ["auto", "txt", "html", "csv", "prodigy", "doccano", "labelstudio", "brat", "conll", "spacy",
                  "spacy_json"]
EXIT_ERROR = 2
# Checked by the label services (one coded line for a wrong kind), not by argparse.
KIND_HELP = "entity (the default: in spaCy's doc.ents) or statement (a band in the window, kept out of doc.ents)"


class _Parser(argparse.ArgumentParser):
    """argparse with its errors as one coded line (main prints it) instead of a usage dump and exit."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(message, hint=f"see {self.prog} --help")


def _global_options(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    # On every command too, so they work before or after it; SUPPRESS keeps a command's parser from
    # overwriting a value given before the command with its own default.
    parser.add_argument("--db", default=default,
                        help="database file or SQLAlchemy URL (default: $ANNOTATOR_DB, else the user data folder)")
    parser.add_argument("--annotator", default=default,
                        help="who is annotating (default: $ANNOTATOR_USER or the login name)")
    parser.add_argument("--project", default=default,
                        help="project name (default: 'default'; the window opens the last one used)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="annotator",
        description="Tag SOURCE, LOCATION, FIGURE and CLAIM spans in news articles; export spaCy training data.",
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    _global_options(parser, default=None)
    parser.add_argument("--self-test", action="store_true", help="run the built-in end-to-end check and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import articles and annotations from files or folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", default="auto", choices=FORMAT_CHOICES)
    p.add_argument("--lang", default="en", help="language of a new project (spaCy code, default en)")
    p.add_argument("--map", action="append", default=[], metavar="THEIRS=OURS",
                   help="rename a label on the way in, e.g. --map GPE=LOCATION (may be repeated)")
    p.add_argument("--text-column", metavar="NAME", help="CSV: the column that holds the text "
                   "(default: text, content, body or article)")
    p.add_argument("--title-column", metavar="NAME", help="CSV: the column that holds the title (default: title or "
                   "headline)")

    p = sub.add_parser("export", help="export a project (spaCy DocBin train/dev + config, or another tool's format)")
    p.add_argument("--format", required=True, choices=["spacy", "prodigy", "doccano", "labelstudio", "brat", "conll"])
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--split", type=float, default=0.8, help="share of documents in train.spacy (default 0.8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--spans-key", default="sc")
    p.add_argument("--align", choices=["strict", "expand"], default="strict")
    p.add_argument("--layer", metavar="NAME", help="whose spans: a person's name, gold, a model's name, or people (every person's; "
                   "default: the --annotator's, else gold once the project has gold spans, else people)")
    p.add_argument("--only-done", action="store_true", help="only documents the --annotator marked done")
    p.add_argument("--replace", action="store_true",
                   help="replace a previous export of this format at --out (never any other file or folder)")

    p = sub.add_parser("train", help="train a span categorizer on the gold layer or an annotator's finished documents")
    p.add_argument("--layer", metavar="NAME", help="which layer's finished documents to train on: a person's name or "
                   "gold (default: the --annotator's, else gold once the project has gold spans, else yours); "
                   "a model's layer is refused")
    p.add_argument("--out", type=Path, help="the new model folder (default: models/PROJECT/TIME in the user data "
                   "folder); it becomes the project's suggestion source trained")
    p.add_argument("--curve", action="store_true", help="also train on 25, 50 and 75 %% of the training documents "
                   "and print precision, recall and F per label for each share (the learning curve)")
    p.add_argument("--chart", type=Path, metavar="PNG", help="draw the learning curve into this PNG file "
                   "(implies --curve)")
    p.add_argument("--any-status", action="store_true", help="also documents not marked done that hold spans of "
                   "the annotator (annotations imported from another tool)")
    p.add_argument("--max-steps", type=int, help="optimisation steps per model (default 400)")
    p.add_argument("--held-out", type=float, default=0.2, help="share of the documents held back to score the "
                   "model (default 0.2)")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("stats", help="documents by status, spans by label and annotator, the layers")
    p.add_argument("--json", action="store_true")
    p.add_argument("--chart", type=Path, metavar="PNG", help="also draw the team dashboard into this PNG file "
                   "(finished documents per day, spans and agreement per label, time per document)")

    p = sub.add_parser("agreement", help="agreement between each pair of annotators, per label and overall")
    p.add_argument("--json", action="store_true")
    p.add_argument("--labels", metavar="L1,L2", help="only these labels (default: all of the project's)")

    p = sub.add_parser("gold", help="where the review into gold stands; --auto-accept-agreed settles agreed spans")
    p.add_argument("--auto-accept-agreed", action="store_true",
                   help="accept into gold every span all annotators of its document made (the --annotator reviews)")
    p.add_argument("--min-annotators", type=int, default=2, metavar="N",
                   help="only on documents with at least N annotators (default 2)")

    p = sub.add_parser("labels", help="list or change the project's labels")
    lsub = p.add_subparsers(dest="labels_command", metavar="ACTION")
    lsub.add_parser("list")
    a = lsub.add_parser("add")
    a.add_argument("name")
    a.add_argument("--colour", default="")
    a.add_argument("--key", default="")
    a.add_argument("--description", default="")
    a.add_argument("--kind", default="entity", help=KIND_HELP)
    for action, value in (("rename", "new_name"), ("recolour", "colour"), ("rekey", "key"), ("rekind", "kind"),
                          ("describe", "description")):
        a = lsub.add_parser(action)
        a.add_argument("name")
        a.add_argument(value, help=KIND_HELP if value == "kind" else None)
    a = lsub.add_parser("delete")
    a.add_argument("name")
    a.add_argument("--with-spans", action="store_true", help="also delete the spans that use the label")
    p = sub.add_parser("suggest", help="fill a model layer with a suggestion source's spans, for every document")
    p.add_argument("--source", default="rules", metavar="SOURCE",
                   help="rules (the default), occurrences, trained, or a spaCy pipeline (package name or folder)")
    p.add_argument("--documents", type=int, metavar="N", help="only the first N documents of the project")

    p = sub.add_parser("evaluate", help="precision, recall and F of a model layer against an annotator's spans")
    p.add_argument("--layer", required=True, help="the model layer (a source's name: rules, occurrences, ...)")
    p.add_argument("--against", required=True, metavar="ANNOTATOR",
                   help="whose spans are the reference (their finished documents, else all they annotated)")

    from annotator import cli_team

    team_actions = cli_team.add_parsers(sub)
    rsub = _frame_commands(sub)
    for command in (sub, lsub, rsub, *team_actions):
        for command_parser in command.choices.values():
            _global_options(command_parser)
    return parser


def _frame_commands(sub: Any) -> Any:
    """`relation-types`, `figure` and `claims` (issue 10); returns the relation-types action parsers."""
    p = sub.add_parser("relation-types", help="list or change the project's relation types (said_by, where, figure)")
    rsub = p.add_subparsers(dest="types_command", metavar="ACTION")
    rsub.add_parser("list")
    a = rsub.add_parser("add")
    for name in ("name", "head_label", "child_label"):
        a.add_argument(name, metavar=name.upper())
    a = rsub.add_parser("delete")
    a.add_argument("names", nargs="+", metavar="NAME")
    p = sub.add_parser("figure", help="show or change the numbers read from a FIGURE span")
    p.add_argument("span_id", type=int, metavar="SPAN_ID")
    for name in ("value", "low", "high", "factor", "unit", "qualifier", "reference"):
        p.add_argument(f"--{name}", help="'none' clears it" if name in ("value", "low", "high", "factor") else None)
    p = sub.add_parser("claims", help="one row per claim with its source, places and figures")
    p.add_argument("--format", default="csv", choices=["csv", "jsonl", "md"])
    p.add_argument("--out", type=Path, help="a new file (default: the standard output)")
    p.add_argument("--layer", metavar="NAME", help="one layer: a person's name, gold, or model:NAME")
    p.add_argument("--status", metavar="S", help="only documents with this status for the claim's layer")
    return rsub


def _frames(ws: Workspace, args: argparse.Namespace, project: str, annotator: str) -> int:
    from annotator.services import claims, relations
    from annotator.services.workspace import get_project

    if args.command == "claims":
        written = claims.export_claims(ws, project, fmt=args.format, out=args.out, stdout=sys.stdout,
                                       layer=args.layer, status=args.status)
        if args.out is not None:
            print(f"wrote {written} claims to {printable(str(args.out))}")
        return 0
    if args.command == "figure":
        numbers = {k: relations.number_or_none(getattr(args, k)) for k in ("value", "low", "high", "factor")
                   if getattr(args, k) is not None}
        texts = {k: None if k == "qualifier" and getattr(args, k).lower() in ("", "none") else getattr(args, k)
                 for k in ("unit", "qualifier", "reference") if getattr(args, k) is not None}
        frames = relations.Frames(ws, get_project(ws, project).id, annotator)
        attrs = frames.set_figure(args.span_id, **numbers, **texts)
        print(json.dumps(attrs, ensure_ascii=False))
        return 0
    action = args.types_command or "list"
    if action == "add":
        relations.add_relation_type(ws, project, args.name, args.head_label, args.child_label)
    elif action == "delete":
        for name in args.names:
            gone = relations.delete_relation_type(ws, project, name)
            print(f"deleted the relation type {name}" + (f" and its {gone:,} relation(s)" if gone else ""))
    for kind in relations.list_relation_types(ws, project):
        print(f"{kind.name:<16} {kind.head_label} -> {kind.child_label}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    _never_fail_to_print()
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it would print a traceback
    except BrokenPipeError:
        # `annotator stats | head -1`: the reader left. The Python docs' recipe: send the rest to devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def window_options(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options of `annotator` with no command (the window's start), read without building every command's
    parser (~6 ms of the start); None when there is anything else (a command, --help, a mistake), which
    build_parser() reads, and explains."""
    parser = _Parser(prog="annotator", add_help=False, allow_abbrev=False)
    _global_options(parser, default=None)
    parser.add_argument("--self-test", action="store_true")
    try:
        args, rest = parser.parse_known_args(argv)
    except CommandLineError:
        return None
    if rest:
        return None
    args.command = None
    return args


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = window_options(argv) or build_parser().parse_args(argv)
        _check_text_options(args)
        if args.self_test:
            from annotator.app import self_test

            return self_test()
        if args.command is None:
            from annotator.app import run_gui

            return run_gui(db=args.db, annotator=args.annotator, project=args.project)
        return _run(args)
    except AnnotatorError as e:
        print(f"annotator: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("annotator: interrupted; the current file's import or the export was not written", file=sys.stderr)
        return 130


# Options that name files may hold any bytes (Python keeps the ones that are not UTF-8 as lone surrogates);
# every other option is text that ends up in the database, which takes only valid Unicode.
_FILE_OPTIONS = frozenset({"db", "paths", "out", "chart"})


def _check_text_options(args: argparse.Namespace) -> None:
    for name, value in vars(args).items():
        if name in _FILE_OPTIONS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not text.isascii() and LONE_SURROGATE.search(text):
                option = name.replace("_", "-")
                raise CommandLineError(f"the value of {option} ('{printable(text)}') is not valid UTF-8 text",
                                       hint="check the terminal's encoding, or type the name again")


def _never_fail_to_print() -> None:
    """Under an ASCII locale (LC_ALL=C without UTF-8 mode) a title or file name must not stop a message."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if hasattr(stream, "reconfigure") and (encoding != "utf8" or stream.errors == "strict"):
            stream.reconfigure(errors="backslashreplace")


def _run(args: argparse.Namespace) -> int:
    from annotator.services.team import connected_role
    from annotator.services.workspace import DEFAULT_PROJECT, default_annotator, open_workspace

    ws = open_workspace(args.db)
    try:
        project = args.project or DEFAULT_PROJECT
        annotator = args.annotator or connected_role(ws) or default_annotator()
        if args.command == "import":
            return _import(ws, args, project, annotator)
        if args.command == "export":
            return _export(ws, args, project)
        if args.command == "stats":
            return _stats(ws, args, project)
        if args.command == "train":
            return _train(ws, args, project, annotator)
        if args.command == "labels":
            return _labels(ws, args, project)
        if args.command == "agreement":
            return _agreement(ws, args, project)
        if args.command == "suggest":
            return _suggest(ws, args, project)
        if args.command == "evaluate":
            return _evaluate(ws, args, project)
        if args.command in ("team", "assign", "merge"):
            from annotator import cli_team

            return cli_team.run(ws, args, project, annotator)
        if args.command in ("relation-types", "figure", "claims"):
            return _frames(ws, args, project, annotator)
        if args.command == "gold":
            return _gold(ws, args, project, annotator)
    finally:
        ws.close()
    return 0


def _import(ws: Workspace, args: argparse.Namespace, project: str, annotator: str) -> int:
    from tqdm import tqdm

    from annotator.services.importing import import_paths

    bar = tqdm(unit=" docs", desc="importing", disable=None, file=sys.stderr)

    def progress(read: int, _files_done: int, _current: str) -> None:
        bar.update(read - bar.n)

    try:
        summary = import_paths(ws, args.paths, project=project, annotator=annotator, fmt=args.format,
                               lang=args.lang, progress=progress, label_map=_label_map(args.map),
                               text_column=args.text_column, title_column=args.title_column)
    finally:
        bar.close()
    for line in summary.lines(with_errors=False):
        print(line)
    for skipped in summary.skipped:
        print(f"annotator: skipped: {skipped}", file=sys.stderr)
    for error in summary.errors:
        print(f"annotator: not imported: {error}", file=sys.stderr)
    return EXIT_ERROR if summary.errors else 0


def _label_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        theirs, sep, ours = pair.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise UsageError(f"--map {pair!r} is not THEIRS=OURS", hint="for example --map GPE=LOCATION")
        mapping[theirs.strip()] = ours.strip()
    return mapping


def _export(ws: Workspace, args: argparse.Namespace, project: str) -> int:
    from annotator.services.exporting import export

    summary = export(ws, fmt=args.format, out=args.out, project=project, annotator=args.annotator,
                     layer=args.layer, split=args.split, seed=args.seed, spans_key=args.spans_key, align=args.align,
                     only_done=args.only_done, replace=args.replace)
    for line in summary.lines():
        print(line)
    return 0


def _train(ws: Workspace, args: argparse.Namespace, project: str, annotator: str) -> int:
    from tqdm import tqdm

    from annotator.errors import TrainingCancelledError
    from annotator.nlp.training import DEFAULT_MAX_STEPS, Progress
    from annotator.services import training

    if args.layer and args.annotator and args.layer != args.annotator:
        raise UsageError("give --annotator or --layer, not both", hint="both name whose documents to train on")
    _check_png(args.chart, "curve.png")
    curve = args.curve or args.chart is not None
    max_steps = DEFAULT_MAX_STEPS if args.max_steps is None else args.max_steps
    data = training.training_data(ws, project=project, layer=args.layer, annotator=args.annotator,
                                  fallback=annotator, curve=curve,
                                  held_out=args.held_out, seed=args.seed, any_status=args.any_status)
    bar = tqdm(total=max_steps, desc="training", unit=" steps", disable=None, file=sys.stderr)

    shown: dict[str, object] = {"stage": "training", "F": ""}

    def progress(p: Progress) -> None:
        if shown["stage"] != p.stage:  # the next model of the learning curve
            shown.update(stage=p.stage, F="")
            bar.reset(total=p.max_steps)
            bar.set_description(p.stage)
        if p.score is not None:  # spaCy evaluates every few steps; the last F stays on the bar until the next
            shown["F"] = f", F {p.score:.2f}"
        bar.update(p.step - bar.n)
        bar.set_postfix_str(f"loss {p.loss:.1f}{shown['F']}", refresh=False)

    try:
        result = training.train(data, out=args.out, curve=curve, max_steps=max_steps, seed=args.seed,
                                progress=progress)
    except KeyboardInterrupt:
        raise TrainingCancelledError("training was cancelled (Ctrl+C); no model was written") from None
    finally:
        bar.close()
    for line in training.summary_lines(result):
        print(line)
    if args.chart is not None:
        from annotator.gui.charts import PALETTE, line_chart_png

        # A label keeps its colour from one chart to the next, whichever labels have scores.
        colours = {label: PALETTE[n % len(PALETTE)] for n, label in enumerate(data.labels)}
        _write_chart(args.chart, lambda: line_chart_png(
            args.chart, training.curve_series(result), y_range=(0.0, 1.0), colours=colours,
            title=f"Learning curve: F per label on {len(data.held_out)} held-back documents",
            x_label="training documents", y_label="F (held-back documents)"))
        print(f"chart: {printable(str(args.chart))}")
    return 0


def _check_png(path: Path | None, example: str) -> None:
    if path is not None and path.suffix.lower() != ".png":
        raise UsageError(f"--chart {printable(str(path))} is not a .png file name", hint=f"e.g. --chart {example}")


def _write_chart(path: Path, draw: Callable[[], object]) -> None:
    try:
        draw()
    except OSError as e:
        raise UsageError(f"cannot write the chart {printable(str(path))}: {e.strerror or e}",
                         hint="choose a folder you can write to") from e


def _stats(ws: Workspace, args: argparse.Namespace, project: str) -> int:
    from annotator.services.stats import project_stats

    _check_png(args.chart, "team.png")
    stats = project_stats(ws, project)
    if args.chart is not None:
        from annotator.services.dashboard import dashboard

        figures = dashboard(ws, project)
        from annotator.gui.dashboard import dashboard_png  # Qt only now, once the figures are read

        _write_chart(args.chart, lambda: dashboard_png(args.chart, figures))
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    print(f"project {stats['project']} ({stats['language']}): {stats['documents']} documents, {stats['spans']} spans")
    for who, counts in stats["status_by_annotator"].items():
        print(f"  {who}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for label, n in stats["spans_by_label"].items():
        per = ", ".join(f"{who} {c.get(label, 0)}" for who, c in stats["spans_by_annotator"].items() if label in c)
        print(f"  {label}: {n} ({per})")
    print("layers (export one with --layer NAME):")
    for layer in stats["layers"]:
        print(f"  {layer['layer']} ({layer['kind']}): {layer['spans']} spans")
    for who, queue in stats["queues"].items():
        print(f"  queue of {who}: {queue['done']} of {queue['assigned']} assigned done")
    if args.chart is not None:
        print(f"chart: {printable(str(args.chart))}")
    return 0


def _labels(ws: Workspace, args: argparse.Namespace, project: str) -> int:
    from annotator.services import labels as service
    from annotator.services.workspace import get_project

    get_project(ws, project)  # never made here: a misspelt --project is named, with the projects there are
    action = args.labels_command or "list"
    if action == "add":
        service.add_label(ws, project, args.name, colour=args.colour, key=args.key, description=args.description,
                          kind=args.kind)
    elif action == "rename":
        service.update_label(ws, project, args.name, new_name=args.new_name)
    elif action == "recolour":
        service.update_label(ws, project, args.name, colour=args.colour)
    elif action == "rekey":
        service.update_label(ws, project, args.name, key=args.key)
    elif action == "rekind":
        service.update_label(ws, project, args.name, kind=args.kind)
    elif action == "describe":
        service.update_label(ws, project, args.name, description=args.description)
    elif action == "delete":
        spans = service.delete_label(ws, project, args.name, with_spans=args.with_spans)
        print(f"deleted the label {args.name}" + (f" and its {spans:,} span(s)" if spans else ""))
    for label in service.list_labels(ws, project):
        keys = "/".join(label.shortcut_keys()) or "-"
        print(f"{label.name:<16} {label.kind:<9} {label.colour}  key {keys:<5} {label.description[:60]}")
    return 0


def _agreement(ws: Workspace, args: argparse.Namespace, project: str) -> int:
    from annotator.services.agreement import project_agreement, report_json, report_lines

    labels = None if args.labels is None else [name.strip() for name in args.labels.split(",") if name.strip()]
    report = project_agreement(ws, project, labels)
    print(json.dumps(report_json(report), indent=2, ensure_ascii=False) if args.json else "\n".join(report_lines(report)))
    return 0


def _gold(ws: Workspace, args: argparse.Namespace, project: str, reviewer: str) -> int:
    from annotator.services.review import project_gold

    summary = project_gold(ws, project, reviewer, auto_accept_agreed=args.auto_accept_agreed,
                           min_annotators=args.min_annotators)
    print("\n".join(summary.lines(args.min_annotators, args.auto_accept_agreed)))
    return 0


def _suggest(ws: Workspace, args: argparse.Namespace, project: str) -> int:
    from tqdm import tqdm

    from annotator.errors import SuggestInterruptedError
    from annotator.services.suggesting import fill_layer

    if args.documents is not None and args.documents < 1:
        raise UsageError(f"--documents must be at least 1, not {args.documents}")
    bar = tqdm(unit=" docs", desc=f"suggesting ({args.source})", disable=None, file=sys.stderr)
    written = [0, 0]

    def progress(done: int, total: int) -> None:
        written[:] = [done, total]
        bar.total = total
        bar.update(done - bar.n)

    try:
        summary = fill_layer(ws, project, args.source, limit=args.documents, progress=progress)
    except KeyboardInterrupt:
        bar.close()
        error = SuggestInterruptedError(
            f"interrupted: the suggestions of {written[0]} of {written[1]} document(s) are saved, the rest were "
            "not changed", hint="run the command again to fill them all")
        print(f"annotator: {error}", file=sys.stderr)
        return 130
    bar.close()
    print(f"{summary.source}: {summary.total} suggestion(s) on {summary.documents} document(s)")
    for label, n in sorted(summary.per_label.items()):
        print(f"  {label:<16} {n}")
    return 0



def _evaluate(ws: Workspace, args: argparse.Namespace, project: str) -> int:
    from annotator.services.evaluating import evaluate_layer

    for line in evaluate_layer(ws, project, args.layer, args.against).lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
