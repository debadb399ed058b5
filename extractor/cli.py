"""The ``directives`` command line. Imports are lazy so that ``--help`` answers at once.

The CLI only parses arguments, calls the library and translates exceptions into
``Error: …`` on standard error and an exit code: 0 success, 1 some input failed, 2 bad usage or
configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

EPILOG_EXTRACT = """\
examples:
  directives extract seeds -o out/directives.csv     # + out/directives.documents.csv
  directives extract notices/ -o corpus.xlsx          # sheets: directives, documents, themes_by_city, codebook
  directives extract a.txt b.html                     # directive table as CSV on standard output
  directives extract notices/ -o d.parquet --taxonomy my_themes.yaml --manifest sources.csv
"""

EPILOG_COMPARE = """\
examples:
  directives compare out/directives.csv                        # themes by city, printed
  directives compare out/directives.csv --by month -o by_month.xlsx
  directives compare out/directives.csv --chart themes.png --terms 10
"""


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: give 1 or more")
    return n


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policy-directives")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="directives",
        description="Turn scraped Chinese government meeting notices into a table of directives, "
                    "with themes, evidence, offsets and document metadata.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'directives COMMAND --help' for the options of a command.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to standard error")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    e = sub.add_parser("extract", help="notices in, directive table out",
                       description="Extract directives from notice files (.txt, .html, .htm, .shtml; any "
                                   "encoding) or folders of them (searched recursively).",
                       epilog=EPILOG_EXTRACT, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("paths", nargs="+", metavar="PATH", help="notice file or folder")
    e.add_argument("-o", "--out", type=Path, metavar="OUT",
                   help="output file; its suffix picks the format: .csv .xlsx .parquet .jsonl .qdpx (REFI-QDA) "
                        "(default: directive table as CSV on standard output)")
    e.add_argument("--jobs", type=_positive, default=None, metavar="N",
                   help="worker processes (default: the cores no other program is busy on, and one per 100 "
                        "files at most, so a small batch runs in one process)")
    e.add_argument("--taxonomy", type=Path, metavar="FILE",
                   help="your theme file (YAML, same shape as 'directives themes --yaml'); extends the "
                        "built-in themes, or replaces them if the file says 'mode: replace'")
    e.add_argument("--taxonomy-mode", choices=("extend", "replace"), default=None,
                   help="override the mode given in the taxonomy file")
    e.add_argument("--manifest", type=Path, metavar="CSV",
                   help="CSV with source_path and any of province, city, county, published, url: "
                        "known values override inferred ones")
    e.add_argument("--dedupe", action="store_true",
                   help="leave out the directive rows of a notice whose cleaned text repeats an earlier input "
                        "(it stays in the document table with duplicate_of set)")
    e.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    e.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: a process pool on this machine (default); dask: a Dask cluster, same output "
                        "(needs pip install 'policy-directives[dask]')")
    e.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: the cluster's scheduler (tcp://host:8786 or a scheduler JSON "
                        "file); default: a local cluster of --jobs worker processes")

    w = sub.add_parser("show", help="one notice with its directives and themes highlighted",
                       description="Show one notice's cleaned text with each directive marked, and the "
                                   "themes of each with the terms that fired.")
    w.add_argument("file", type=Path, metavar="FILE", help="a notice file")
    w.add_argument("--html", type=Path, metavar="OUT", help="write a standalone HTML page instead")
    w.add_argument("--no-embed-font", action="store_false", dest="embed_font",
                   help="with --html: do not embed the subset of a CJK font (about 100 KB) that makes the page "
                        "read the same on a machine without one")

    t = sub.add_parser("themes", help="list the built-in themes (the codebook)",
                       description="List the theme ids, labels and terms used for tagging.")
    t.add_argument("--yaml", action="store_true", help="print the full theme file, a template for --taxonomy")
    t.add_argument("--taxonomy", type=Path, metavar="FILE", help="show these themes merged with the built-in set")
    t.add_argument("--qdc", type=Path, metavar="FILE",
                   help="write the codebook (themes, kind, modality) as a REFI-QDA codebook for NVivo, "
                        "ATLAS.ti or MAXQDA")

    s = sub.add_parser("schema", help="JSON Schema of the two tables",
                       description="Print (or write) the JSON Schema of the directive and document tables.")
    s.add_argument("--out", type=Path, metavar="DIR", help="write directive.schema.json and document.schema.json here")

    v = sub.add_parser("evaluate", help="score output against a gold file",
                       description="Score directives against hand-annotated gold (codebook §1–3): directive "
                                   "precision/recall/F1, numbered recall, theme F1, primary accuracy and "
                                   "document-field accuracy.")
    v.add_argument("--gold", type=Path, required=True, metavar="FILE",
                   help="gold JSON (see shared gold format), or a REFI-QDA project (.qdpx) re-coded by a reviewer "
                        "in NVivo, ATLAS.ti or MAXQDA")
    v.add_argument("--pred", type=Path, metavar="FILE", help="a directive table (.csv .xlsx .parquet .jsonl)")
    v.add_argument("paths", nargs="*", metavar="PATH", help="or: notices to extract and score")
    v.add_argument("--require", action="append", default=[], metavar="FIGURE=FLOOR",
                   help="exit 1 when a figure is below its floor, e.g. directive_f1=0.95")
    v.add_argument("--by-theme", action="store_true",
                   help="also print precision and recall per theme, with the terms that fired on false positives")

    c = sub.add_parser("compare", help="themes across cities, provinces, months, issuers",
                       description="Compare themes across groups of a directive table written by 'extract' "
                                   "(.csv .xlsx .parquet .jsonl). For each group and theme: the number of "
                                   "directives carrying the theme, their share of the group's directives and "
                                   "the share of the group's notices (distinct doc_id) mentioning it, each "
                                   "share with a 95% Wilson score interval. Directives with no value for "
                                   "the group go to '(unknown)'; with --by city, a province-level notice "
                                   "with no city is listed under its province (河南省).",
                       epilog=EPILOG_COMPARE, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("directives", type=Path, metavar="DIRECTIVES", help="directive table written by 'extract'")
    c.add_argument("--by", choices=("city", "province", "month", "issuer", "admin_level"), default="city",
                   help="grouping (default: city); month is the meeting date's YYYY-MM, else the "
                        "publication date's")
    c.add_argument("--scheme", choices=("theme", "oxcgrt", "coronanet"), default="theme",
                   help="count themes (default), or the OxCGRT indicators or CoronaNet policy types the "
                        "crosswalk gave each directive (columns oxcgrt, coronanet)")
    c.add_argument("-o", "--out", type=Path, metavar="OUT",
                   help="write every group × theme (zeros included) to .csv or .xlsx instead of printing; "
                        "with --terms, the terms go to <stem>.terms.csv or a second .xlsx sheet")
    c.add_argument("--chart", type=Path, metavar="FILE",
                   help="heatmap of theme shares by group (.png or .svg); cells of groups with fewer than 5 "
                        "notices or with a 95%% interval wider than 40 points are faded and hatched")
    c.add_argument("--chart-value", choices=("directives", "notices"), default="directives",
                   help="share charted: of the group's directives (default) or of its notices")
    c.add_argument("--terms", type=int, default=0, metavar="N",
                   help="also list each group's N most distinctive words (jieba segmentation; weighted "
                        "log-odds z-score against the other groups, Monroe et al. 2008)")
    c.add_argument("--all", action="store_true", dest="show_zero",
                   help="in the printed table, also list themes a group never mentions")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 2
    try:
        return globals()[f"_cmd_{args.command}"](args)
    except KeyboardInterrupt:
        print("Interrupted; no output was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (directives … | head): stop quietly, as Unix tools do; what is
        # still buffered for standard output goes nowhere instead of failing again at exit
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, the status of a tool the signal stopped
    except (ValueError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        if isinstance(exc, OSError):
            # a writer stopped by a full disk leaves objects (zip archives, parquet streams) that
            # fail again, to no purpose, when collected at exit: the error has been said once
            sys.unraisablehook = lambda unraisable: None
        return 2


def _cmd_extract(args: argparse.Namespace) -> int:
    from extractor.engines.batch import run_extract
    from extractor.pipeline import iter_input_files
    from extractor.rules import RuleFileError
    from extractor.output.table import check_output_path

    if args.out:
        check_output_path(args.out)
    if args.scheduler and args.engine != "dask":
        raise ValueError("--scheduler needs --engine dask")
    if args.engine == "dask":
        from extractor.engines.dask_engine import require_dask
        require_dask()
    options: dict = {}
    if args.taxonomy:
        from extractor.stages.tag import Tagger
        try:
            Tagger.from_files(args.taxonomy, args.taxonomy_mode)
        except RuleFileError as exc:
            raise ValueError(str(exc)) from None
        options.update(taxonomy=str(args.taxonomy), taxonomy_mode=args.taxonomy_mode)
    if args.manifest:
        from extractor.engines.manifest import read_manifest
        options["manifest"] = read_manifest(args.manifest)
    missing = [p for p in args.paths if not Path(p).exists() and not Path(p).is_symlink()]
    for p in missing:
        print(f"{p}: no such file or folder", file=sys.stderr)
    present = [p for p in args.paths if p not in missing]
    from extractor.pipeline import NOTICE_SUFFIXES, skipped_in_folders

    skipped = skipped_in_folders(present) if not args.quiet else {}
    if skipped:
        listed = ", ".join(f"{n} {suffix}" for suffix, n in sorted(skipped.items(), key=lambda kv: -kv[1]))
        print(f"note: not read, by suffix: {listed}; name such files directly to read them", file=sys.stderr)
    if not any(True for _ in iter_input_files(present)):
        print(f"Error: no notice files ({' '.join(NOTICE_SUFFIXES)}) found in {', '.join(args.paths)}",
              file=sys.stderr)
        return 1
    progress = False if args.quiet else None
    with _sigterm_as_interrupt():
        if args.engine == "dask":
            from extractor.engines.batch import list_inputs, write_notices
            from extractor.engines.dask_engine import iter_extract_dask
            files = list_inputs(present)
            notices = iter_extract_dask(present, options, args.scheduler, args.jobs, args.verbose, files=files)
            summary = write_notices(notices, args.out, dedupe=args.dedupe, total=len(files), progress=progress)
        else:
            summary = run_extract(present, args.out, options, args.jobs, dedupe=args.dedupe, progress=progress)
    for path, reason in summary.errors:
        print(f"{path}: {reason}", file=sys.stderr)
    if not args.quiet:
        for path, encoding in summary.repaired:
            print(f"warning: {path}: damaged text, read as {encoding}", file=sys.stderr)
    if not args.quiet and args.out:
        print(f"{summary.n_documents} notices, {summary.n_directives} directives → {args.out}"
              + (f"; {len(summary.errors)} failed" if summary.errors else "")
              + (f"; {len(summary.no_directives)} with no directives" if summary.no_directives else "")
              + (f"; {len(summary.duplicates)} duplicates" + (" left out" if args.dedupe else "")
                 if summary.duplicates else ""),
              file=sys.stderr)
    return 1 if summary.errors or missing else 0


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (kill, a job scheduler's timeout) unwinds like Ctrl-C: no half-written output is left."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding application): leave its handlers alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cmd_show(args: argparse.Namespace) -> int:
    from extractor.pipeline import Extractor
    from extractor.output.show import render_terminal, write_html

    notice = Extractor().extract_path(args.file)
    if args.html:
        write_html(notice, args.html, embed_font=args.embed_font)
        print(args.html)
    else:
        render_terminal(notice)
    if notice.document.status == "error":
        print(f"{args.file}: {notice.document.error}", file=sys.stderr)
        return 1
    return 0


def _cmd_themes(args: argparse.Namespace) -> int:
    from extractor.rules import packaged_rule_text
    from extractor.stages.tag import Tagger

    if args.yaml:
        sys.stdout.write(packaged_rule_text("themes.yaml"))
        return 0
    tagger = Tagger.from_files(args.taxonomy)
    if args.qdc:
        from extractor.output.qda import write_codebook

        write_codebook(tagger.themes, args.qdc)
        print(args.qdc)
        return 0
    for t in tagger.themes:
        terms = "、".join(t.lexicon[:12]) + ("…" if len(t.lexicon) > 12 else "")
        print(f"{t.id:22} {t.label}\n{'':22} {terms}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from extractor.output.schema import schemas, write_schemas

    if args.out:
        for path in write_schemas(args.out):
            print(path)
        return 0
    import json
    print(json.dumps(schemas(), ensure_ascii=False, indent=2))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from extractor.analysis.evaluate import evaluate_paths, evaluate_table, format_report, load_gold
    from extractor.output.table import read_directives

    if args.gold.suffix.lower() == ".qdpx":  # a project reviewed in a QDA program
        from extractor.analysis.evaluate import evaluate_project, extracted_rows, format_agreement
        from extractor.output.qda import read_project

        if args.pred:
            df = read_directives(args.pred)
            rows = df.astype(object).where(df.notna(), "").to_dict("records")
        elif args.paths:
            rows = extracted_rows(args.paths)
        else:
            raise ValueError("give --pred FILE or notice PATHs to extract")
        figures = evaluate_project(read_project(args.gold), rows)
        print(format_report(figures) + "\n\n" + format_agreement(figures))
    else:
        gold = load_gold(args.gold)
        if args.pred:
            from extractor.output.table import companion_path

            beside = companion_path(args.pred)
            documents = None
            if args.pred.suffix.lower() == ".csv" and beside.exists():
                import pandas as pd

                documents = pd.read_csv(beside, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            figures = evaluate_table(gold, read_directives(args.pred), documents)
        elif args.paths:
            figures = evaluate_paths(gold, args.paths)
        else:
            raise ValueError("give --pred FILE or notice PATHs to extract")
        print(format_report(figures))
    if args.by_theme and args.gold.suffix.lower() != ".qdpx":
        from extractor.analysis.evaluate import format_by_theme
        print("\n" + format_by_theme(figures))
    failed = []
    for req in args.require:
        name, _, floor = req.partition("=")
        if name not in figures.summary:
            raise ValueError(f"unknown figure {name!r}; known: {', '.join(figures.summary)}")
        value = figures.summary[name]
        if value is None or value < float(floor):  # a figure with nothing to score meets no floor
            failed.append(f"{name} {'n/a' if value is None else f'{value:.3f}'} < {float(floor):.3f}")
    if failed:
        print("below floor: " + "; ".join(failed))
        return 1
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from extractor.analysis.compare import compare_themes, print_table, print_terms, write_comparison
    from extractor.output.table import read_directives

    if args.out and args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError(f"{args.out}: unsupported output format {args.out.suffix!r}; use .csv or .xlsx")
    if args.chart and args.chart.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"{args.chart}: unsupported chart format {args.chart.suffix!r}; use .png or .svg")
    for target in (args.out, args.chart):
        if target and not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise ValueError(f"{target}: folder {target.parent} does not exist")
    if args.terms < 0:
        raise ValueError("--terms must be a positive number")
    if not args.directives.is_file():
        raise ValueError(f"{args.directives}: no such file")
    df = read_directives(args.directives)
    if df.empty:
        raise ValueError(f"{args.directives}: the directive table has no rows")
    table = compare_themes(df, args.by, scheme=args.scheme)
    terms = None
    if args.terms:
        from extractor.analysis.vocab import distinctive_terms
        terms = distinctive_terms(df, args.by, args.terms)
    if args.chart:
        from extractor.output.chart import write_chart
        write_chart(table, args.by, args.chart, value=f"share_{args.chart_value}")
    if args.out:
        written = write_comparison(table, args.out, terms, args.by)
        print(f"{table[args.by].nunique()} groups × {table['theme'].nunique()} themes → "
              + ", ".join(str(p) for p in written), file=sys.stderr)
    else:
        print_table(table, args.by, show_zero=args.show_zero)
        if terms is not None:
            print_terms(terms, args.by)
    if args.chart:
        print(f"chart → {args.chart}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
