"""The `sitegen` command: the only place that prints or exits."""

from __future__ import annotations

import argparse
import codecs
import csv
import difflib
import errno
import io
import json
import os
import signal
import sys
import traceback
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

from sitegen import __version__
from sitegen.build.pipeline import BuildResult, build_site
from sitegen.build.write import PAGES_SIZE_LIMIT, limit_words
from sitegen.cli_progress import progress_display
from sitegen.commands import authoring, importing
from sitegen.commands.check import failure_markdown, plan_markdown, run_check
from sitegen.commands.new import create
from sitegen.commands.notify import LEDGER, expiring_days, masked_email, notify
from sitegen.commands.serve import serve
from sitegen.content.options import parse_size
from sitegen.content.site import load_site
from sitegen.diagnostics import BuildError, Diagnostic, SitegenError, severity_word
from sitegen.logsafe import guarded_output
from sitegen.messages import MESSAGE_LANGUAGES, _, language_from_environment, ngettext, use_language
from sitegen.openbadges.keys import generate, generate_rsa
from sitegen.progress import NO_PROGRESS
from sitegen.recipients import EMAIL
from sitegen.verify import fetch as verify_fetch
from sitegen.verify import inputs as verify_inputs


def _print_diagnostics(diagnostics: Iterable[Diagnostic], stream=None) -> None:
    stream = stream or sys.stderr
    for diagnostic in diagnostics:
        print(diagnostic, file=stream)


def _print_json(report: dict) -> None:
    """One JSON object on stdout. `##[` inside a string would be broken by the log guard (and read by a CI
    runner): the JSON escape of `[` keeps the value exact for a program and inert in a log."""
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text.replace("##[", "##\\u005b"))


def _failure_json(message: str, diagnostics: Iterable[Diagnostic] = ()) -> dict:
    """What `--json` prints when a command fails (exit 1)."""
    return {"ok": False, "error": message, "diagnostics": [d.to_dict() for d in diagnostics]}


def _build_json(result: BuildResult) -> dict:
    site = result.site
    return {
        "ok": True,
        "issuers": len(site.issuers),
        "badges": len(site.badges),
        "awards": len(site.awards),
        "files": result.files,
        "bytes": result.bytes,
        "size_limit": result.size_limit,
        "output": str(result.output),
        "reused": result.reused,
        "signed": result.signed,
        "diagnostics": [d.to_dict() for d in [*result.warnings, *result.notes]],
    }


def cmd_build(args) -> int:
    root = Path(args.root)
    output = Path(args.output) if args.output else None
    try:
        result = build_site(
            root,
            output,
            jobs=args.jobs,
            size_limit=args.size_limit,
            require_signing=args.require_signing,
            progress=args.progress,
            check_signing=args.check_signing,
        )
    except BuildError as exc:
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        failed = _("build failed: {count} error(s); output/ was left as it was").format(count=errors)
        if args.json:
            _print_json(_failure_json(failed, exc.diagnostics))
            return 1
        _print_diagnostics(exc.diagnostics)
        print(failed, file=sys.stderr)
        return 1
    if args.json:
        _print_json(_build_json(result))
        return 0
    _print_diagnostics(result.warnings)
    for note in result.notes:  # notes have always been printed without their file
        print(f"{severity_word('note')}: {note.message}", file=sys.stderr)
    site = result.site
    built = (
        _(
            "built {issuers} issuer(s), {badges} badge(s), {awards} award(s): {files} files, {megabytes} MB "
            "({share} of the GitHub Pages limit) in {output}"
        )
        if result.size_limit == PAGES_SIZE_LIMIT  # the line scripts have read since 0.1
        else _(
            "built {issuers} issuer(s), {badges} badge(s), {awards} award(s): {files} files, {megabytes} MB "
            "({share} of {limit}) in {output}"
        )
    )
    print(
        built.format(
            issuers=len(site.issuers),
            badges=len(site.badges),
            awards=len(site.awards),
            files=result.files,
            megabytes=f"{result.bytes / 1e6:.1f}",
            share=f"{result.bytes / result.size_limit:.1%}",
            limit=limit_words(result.size_limit),
            output=result.output,
        )
    )
    if result.reused or result.signed:
        print(
            _("reused {reused} unchanged award(s); signed {signed} new credential(s) or status list(s)").format(
                reused=result.reused, signed=result.signed
            )
        )
    return 0


def cmd_serve(args) -> int:
    def stop(signum, frame):
        raise KeyboardInterrupt  # `kill` or a closed terminal stops the preview as Ctrl-C does, cleaning up

    for name in ("SIGTERM", "SIGHUP"):  # SIGHUP: not on Windows
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    serve(Path(args.root), port=args.port, log=lambda message: print(message, flush=True))
    return 0


def cmd_new(args) -> int:
    target = Path(args.directory)
    samples = create(target, microcredential=args.microcredential)
    print(_("created a new badge site in {folder}/\nnext: cd {folder} && sitegen build").format(folder=target))
    print(
        ngettext(
            "before publishing, delete the sample award (it awards the badge to you@example.org): {files}",
            "before publishing, delete the sample awards (they award the badges to you@example.org): {files}",
            len(samples),
        ).format(files=", ".join(samples))
    )
    return 0


def cmd_verify(args) -> int:
    target = args.target
    path = Path(target)
    if target.startswith(("http://", "https://")):
        results = [verify_inputs.verify_url(target, verify_fetch.Fetcher(), args.email)]
        site_mode = False
    elif path.is_dir():
        if args.email:
            print(
                _(
                    "error: --email checks that one badge was issued to that address; give the badge's file, image "
                    "or URL rather than a whole site"
                ),
                file=sys.stderr,
            )
            return 2
        results = verify_inputs.verify_site(path, args.base_url, progress=args.progress)
        site_mode = True
    elif path.is_file():
        site = args.site
        if site is None and not args.base_url:
            site = built_site_around(path)
            if site is not None:  # its links are read from that folder, as a verifier reads them online
                print(
                    _("reading the site's files from {folder} (as --site {folder})").format(folder=site),
                    file=sys.stderr,
                )
        base_url = args.base_url or (verify_inputs.site_base_url(site) if site else None)
        fetcher = verify_fetch.Fetcher(site, base_url) if site else verify_fetch.Fetcher()
        results = [verify_inputs.verify_file(path, fetcher, args.email)]
        site_mode = False
    else:
        print(_("error: {target} is not a URL, a file or a folder").format(target=target), file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    if args.json:
        _print_json({"results": [r.to_dict() for r in results], "counts": counts})
    else:
        for result in results:
            if site_mode and result.status == "valid" and not args.verbose:
                continue
            detail = {
                "revoked": _(" (revoked: {reason})").format(reason=result.revoked),
                "expired": _(" (expired {date})").format(date=result.expired),
            }.get(result.status, "")
            if result.status == "unverifiable":  # a network failure: nothing was found wrong, try again
                print(
                    _(
                        "COULD NOT BE VERIFIED right now: {kind} {subject}: the issuer's site could not be reached, "
                        "try again later"
                    ).format(kind=result.kind, subject=result.subject)
                )
            else:
                print(f"{status_word(result.status).upper():8} {result.kind:15} {result.subject}{detail}")
            for finding in result.findings:
                print(f"         {severity_word(finding.severity)}: [{finding.check}] {finding.message}")
        summary = ", ".join(
            _("{count} {status}").format(count=n, status=status_word(status)) for status, n in sorted(counts.items())
        )
        print(_("checked {count}: {summary}").format(count=len(results), summary=summary or _("nothing")))
    if counts.get("unverifiable") and not counts.get("invalid"):
        return EXIT_UNVERIFIABLE  # a script may retry later
    if site_mode:
        # A site may rightly hold revoked and expired awards: only invalid ones fail it.
        return 0 if results and not counts.get("invalid") else 1
    return 0 if all(r.status == "valid" for r in results) else 1


EXIT_UNVERIFIABLE = 4  # verify: a document could not be fetched (network); nothing was found wrong


def status_word(status: str) -> str:
    """verify's verdict on a badge as printed for a person (--json keeps the English name)."""
    words = {
        "valid": _("valid"),
        "invalid": _("invalid"),
        "revoked": _("revoked"),
        "expired": _("expired"),
        "unverifiable": _("unverifiable"),
    }
    return words.get(status, status)


def built_site_around(path: Path) -> Path | None:
    """The built site folder a file is in (output/assertions/x.png → output): its index.html and issuer profiles
    tell it. Verified against it, a file needs no network, as with --site."""
    for folder in path.absolute().parents:
        if (folder / "index.html").is_file() and verify_inputs.site_base_url(folder):
            return folder
    return None


def _day(text: str):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date like 2026-04-01: {text}").format(text=text)) from None


def _size(text: str) -> int:
    size = parse_size(text)
    if size is None:
        raise argparse.ArgumentTypeError(_("not a size (like 1GB, 20GB or 1.5TB): {text}").format(text=text))
    return size


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(_("not a port number (1–65535): {text}").format(text=text))
    return int(text)


def cmd_issue(args) -> int:
    root = Path(args.root)
    if args.csv:
        ignored = [
            flag
            for flag, value in (
                ("--name", args.name),
                ("--show-name", args.show_name),
                ("--evidence", args.evidence),
                ("--narrative", args.narrative),
            )
            if value
        ]
        if ignored:
            print(
                _(
                    "error: {options} describe one recipient; with --csv put them in the CSV's columns "
                    "(name, show_name, evidence_url, narrative)"
                ).format(options=", ".join(ignored)),
                file=sys.stderr,
            )
            return 2
        sheet = authoring.read_recipients(Path(args.csv), args.sheet)
        for note in sheet.notes:  # which encoding was read, rows of empty cells skipped
            print(note, file=sys.stderr)
        recipients = sheet.recipients
    else:
        if args.sheet:
            print(_("error: --sheet names a sheet of the --csv workbook"), file=sys.stderr)
            return 2
        args.email = (args.email or "").strip()
        if not EMAIL.match(args.email):
            print(_("error: '{email}' is not an email address").format(email=args.email), file=sys.stderr)
            return 1
        recipients = [
            authoring.Recipient(
                email=args.email,
                name=args.name,
                show_name=args.show_name,
                evidence_url=args.evidence,
                narrative=args.narrative,
                expires=None,
            )
        ]
    target, issued = authoring.issue(
        root,
        args.badge,
        recipients,
        issued_on=args.issued_on or date.today(),
        target=Path(args.file) if args.file else None,
        expires=args.expires,
        again=args.again,
        progress=getattr(args, "progress", NO_PROGRESS),
    )
    shown = target.relative_to(root.absolute()) if target.is_relative_to(root.absolute()) else target
    print(
        _("awarded '{badge}' to {count} recipient(s) in {file}").format(
            badge=args.badge, count=len(issued), file=shown
        ),
        file=sys.stderr,
    )
    dropped = authoring.dropped_names_message(issued)
    if dropped:
        print(dropped, file=sys.stderr)
    if len(issued) == 1 and not args.print_urls:  # the id is what `sitegen revoke` takes
        print(
            _("award id: {award_id}\npage: {url}").format(award_id=issued[0].award_id, url=issued[0].page_url),
            file=sys.stderr,
        )
    elif not args.print_urls:
        print(_("--print-urls lists every award's id and page (for a mail merge)"), file=sys.stderr)
    if args.print_urls:
        _print_mail_merge(issued)
    return 0


def _print_mail_merge(issued: list[authoring.Issued]) -> None:
    """For a mail merge: printed only, never written anywhere."""
    # "\n": stdout turns it into the system's line ending; csv's own "\r\n" became "\r\r\n" on Windows.
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["email", "name", "award_id", "award_url"])
    for item in issued:
        writer.writerow([item.email, item.name or "", item.award_id, item.page_url])


def cmd_recipients(args) -> int:
    found = authoring.find_recipients(
        Path(args.root),
        args.badge,
        Path(args.csv),
        sheet=args.sheet,
        progress=getattr(args, "progress", NO_PROGRESS),
    )
    for note in found.notes:
        print(note, file=sys.stderr)
    for message in found.not_found:
        print(message, file=sys.stderr)
    _print_mail_merge(found.issued)
    return 1 if found.not_found else 0


def cmd_notify(args) -> int:
    # A CI log (GitHub Actions sets CI) may be public: it shows no recipient's address in full.
    hide_emails = bool(os.environ.get("CI"))
    outcome = notify(
        Path(args.root),
        Path(args.csv),
        sheet=args.sheet,
        expiring_within=args.expiring_within,
        again=args.again or (),
        dry_run=args.dry_run,
        outbox=Path(args.outbox) if args.outbox else None,
        sender=args.sender,
        wait=args.wait,
        hide_emails=hide_emails,
        progress=getattr(args, "progress", NO_PROGRESS),
    )
    for line in [*outcome.notes, *outcome.unmatched, *outcome.skipped, *outcome.not_live]:
        print(line, file=sys.stderr)
    for notice, subject, file in outcome.done:
        if args.dry_run:
            line = _("would send to {email}: {subject} (award {award})")
        elif file:
            line = _("wrote {file} for {email}: {subject} (award {award})")
        else:
            line = _("sent to {email}: {subject} (award {award})")
        email = masked_email(notice.email) if hide_emails else notice.email
        print(line.format(email=email, subject=subject, award=notice.award.id, file=file))
    for line in outcome.failed:
        print(_("error: {message}").format(message=line), file=sys.stderr)
    if outcome.already:
        print(
            _(
                "{count} message(s) were sent before ({ledger}): not sent again (--again AWARD-ID sends one again)"
            ).format(count=outcome.already, ledger=LEDGER.as_posix()),
            file=sys.stderr,
        )
    if args.dry_run:
        print(
            _("dry run: {count} message(s) would be sent; nothing was sent or written").format(count=len(outcome.done)),
            file=sys.stderr,
        )
    elif outcome.done:
        print(
            _("{count} message(s) recorded in {ledger}: commit it, so that nobody sends them again").format(
                count=len(outcome.done), ledger=LEDGER.as_posix()
            ),
            file=sys.stderr,
        )
    elif not outcome.failed:
        print(_("nothing to send"), file=sys.stderr)
    return 0 if outcome.ok else 1


def _window(text: str) -> int:
    try:
        return expiring_days(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number of days like 30d: {text}").format(text=text)) from None


def _seconds(text: str) -> float:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(_("not a number of seconds: {text}").format(text=text))
    return float(text)


def cmd_revoke(args) -> int:
    path = authoring.revoke(Path(args.root), args.award_id, reason=args.reason, on=args.on or date.today())
    print(
        _("revoked {award_id} in {file}; commit the change and open a pull request").format(
            award_id=args.award_id, file=path
        ),
        file=sys.stderr,
    )
    return 0


def cmd_import(args) -> int:
    plan = importing.import_awards(
        Path(args.root),
        args.sources,
        offline=Path(args.offline) if args.offline else None,
        dry_run=args.dry_run,
        include_revoked=args.include_revoked,
        platform=args.platform,
    )
    print(importing.plan_text(plan))
    if args.dry_run:
        print(_("dry run: nothing was written"), file=sys.stderr)
    elif not plan.empty:
        print(
            _(
                "wrote {count} file(s); `sitegen check` shows them like any new awards: commit them and open a "
                "pull request"
            ).format(count=len(plan.files)),
            file=sys.stderr,
        )
    return 0


def cmd_check(args) -> int:
    root = Path(args.root)
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    try:
        plan = run_check(root, args.base)
    except BuildError as exc:
        if summary:  # reviewers read the job summary: the reason must be there too
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(failure_markdown(exc.diagnostics))
        raise
    site, _warnings = load_site(root)
    markdown = plan_markdown(plan, site.config.base_url)
    if args.json:
        _print_json({**plan.to_dict(), "diagnostics": [d.to_dict() for d in plan.diagnostics]})
    else:
        print(markdown)
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    return 0 if plan.ok else 1


def cmd_keys_generate(args) -> int:
    if args.private_key_file:
        target = Path(args.private_key_file).expanduser().absolute()
        if target.resolve().is_relative_to(Path(args.root).resolve()):
            print(
                _("error: {file} is inside the repository; a private key must never be stored there").format(
                    file=target
                ),
                file=sys.stderr,
            )
            return 1
        if target.exists():
            print(_("error: {file} exists; not overwriting a key").format(file=target), file=sys.stderr)
            return 1
    pem, public = generate_rsa() if args.ob2 else generate()

    def keep_private() -> str:
        if not args.private_key_file:
            return _("the private key (keep it secret, never in the repository):\n\n{pem}").format(pem=pem)
        target.touch(mode=0o600)
        target.write_text(pem, encoding="ascii")
        return _("the private key, written to {file} (readable only by you).").format(file=target)

    if args.ob2:
        indented = "\n".join("      " + line for line in public.strip().splitlines())
        snippet = f"""ob2_signing:
  key_id: {args.id or f"rsa-{date.today():%Y}"}
  public_key: |
{indented}"""
        print(
            _(
                """1. Add to content/site.yaml (Open Badges 2.0 signed assertions, JWS RS256):

{yaml}

2. Store {private_key}
   as the secret SITEGEN_OB2_SIGNING_KEY of the environment `badge-signing`:
   gh secret set SITEGEN_OB2_SIGNING_KEY --env badge-signing < key.pem"""
            ).format(yaml=snippet, private_key=keep_private())
        )
        return 0
    key_id = args.id or f"key-{date.today():%Y}"
    where = keep_private()
    where = where[0].upper() + where[1:]
    snippet = f"""keys:
  - id: {key_id}
    public_key: {public}"""
    print(
        _(
            """1. Add the public key to content/site.yaml (and commit it):

{yaml}

   When you replace a key later, keep the old entry with `retired: true` so that credentials signed
   with it keep verifying.

2. {private_key}
3. Store the private key as the secret SITEGEN_SIGNING_KEY of the environment `badge-signing`:
   GitHub › Settings › Environments › badge-signing › Add environment secret (paste the whole PEM,
   BEGIN and END lines included), or:  gh secret set SITEGEN_SIGNING_KEY --env badge-signing < key.pem
   For a local signed build: SITEGEN_SIGNING_KEY_FILE=/path/outside/the/repo/key.pem sitegen build"""
        ).format(yaml=snippet, private_key=where)
    )
    return 0


def N_(message: str) -> str:
    """Marks a message for the catalogue that is translated where it is used (argparse's words, a table's)."""
    return message


# argparse's own words (usage, its headings and errors), which it looks up through gettext: _main hands argparse
# our translations. Listed here so that the catalogue has them (msgids exactly as Python 3.10-3.13 write them).
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
)


class _Parser(argparse.ArgumentParser):
    """argparse, suggesting the closest command for a mistyped one (`sitegen biuld`: did you mean 'build'?)."""

    def _check_value(self, action: argparse.Action, value) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            close = difflib.get_close_matches(str(value), [str(c) for c in action.choices or ()], n=1)
            if not close:
                raise
            message = _("{problem}; did you mean '{suggestion}'?").format(problem=exc.message, suggestion=close[0])
            raise argparse.ArgumentError(action, message) from None


def _language_option(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--lang",
        choices=MESSAGE_LANGUAGES,
        default=default,
        help=_("the language of messages and --help: ja or en (default: from LC_ALL, LC_MESSAGES, LANG or LANGUAGE)"),
    )


def _subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every command's parser, `keys generate` included."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in dict.fromkeys(action.choices.values()):
                found += [command, *_subcommands(command)]
    return found


def make_parser() -> argparse.ArgumentParser:
    """The command line, its --help in the language chosen (use_language) before it is made."""
    parser = _Parser(prog="sitegen", description=_("Publish Open Badges from a Git repository of YAML files."))
    parser.add_argument(
        "--version",
        action="version",
        version=f"sitegen {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument("--debug", action="store_true", help=_("show a traceback when something unexpected fails"))
    _language_option(parser, None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    root_help = _("the content repository (default: the current folder)")

    build = commands.add_parser("build", help=_("build the site into output/"))
    build.add_argument("--root", default=".", help=root_help)
    build.add_argument("--output", help=_("where to write the site (default: ROOT/output)"))
    build.add_argument(
        "--jobs",
        type=int,
        help=_("worker processes for the per-award files (default: one per CPU core on large sites)"),
    )
    build.add_argument(
        "--require-signing",
        action="store_true",
        help=_("fail unless Open Badges 3.0 credentials are signed (for the deploy workflow)"),
    )
    build.add_argument(
        "--check-signing",
        action="store_true",
        help=_(
            "canonicalise every credential both ways (sitegen's fast path and plain pyld) and fail on any "
            "difference; signs afresh, without cached proofs"
        ),
    )
    build.add_argument(
        "--json", action="store_true", help=_("print what was built and every warning and note as one JSON object")
    )
    build.add_argument(
        "--size-limit",
        type=_size,
        metavar="SIZE",
        help=_(
            "stop if the site would be larger (default: site.yaml's size_limit, 1GB: GitHub Pages' limit), e.g. 20GB"
        ),
    )
    _quiet_option(build)
    build.set_defaults(func=cmd_build)

    serve = commands.add_parser("serve", help=_("preview the site on 127.0.0.1, rebuilding on every change"))
    serve.add_argument("--root", default=".", help=root_help)
    serve.add_argument("--port", type=_port, default=8000, help=_("port on 127.0.0.1 (default 8000)"))
    serve.set_defaults(func=cmd_serve)

    verify = commands.add_parser(
        "verify",
        help=_("verify a badge URL, JSON file, baked PNG/SVG, or a whole output folder"),
        epilog=_(
            "exit codes: 0 valid; 1 not valid, revoked or expired (a folder: any badge not valid); 2 bad "
            "command line; 3 internal error; {code} could not be verified right now (the issuer's site "
            "could not be reached): try again later"
        ).format(code=EXIT_UNVERIFIABLE),
    )
    verify.add_argument("target", help=_("an http(s) URL, a .json/.png/.svg file, or a built site folder"))
    verify.add_argument("--email", help=_("also check that the badge was awarded to this email address"))
    verify.add_argument("--base-url", help=_("the base URL a site folder was built for (default: read from the site)"))
    verify.add_argument(
        "--site",
        type=Path,
        help=_(
            "with a file: resolve the site's URLs from this built folder, not the network (default: the built "
            "folder the file is in, if any)"
        ),
    )
    verify.add_argument("--json", action="store_true", help=_("print the full report as JSON"))
    verify.add_argument("-v", "--verbose", action="store_true", help=_("with a folder: list valid badges too"))
    _quiet_option(verify)
    verify.set_defaults(func=cmd_verify)

    issue = commands.add_parser("issue", help=_("award a badge to one email address or to every row of a CSV"))
    issue.add_argument("badge", help=_("the badge's slug (file stem in content/badgeclasses/)"))
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help=_("the recipient's email (hashed; never stored)"))
    who.add_argument(
        "--csv",
        metavar="FILE",
        help=_(
            "a spreadsheet (.csv in UTF-8 or Shift_JIS, or .xlsx) with a header row: email, name, show_name, "
            "evidence_url, evidence_name, narrative, issued_on, expires"
        ),
    )
    issue.add_argument("--sheet", help=_("with an .xlsx workbook: the sheet to read (default: the first sheet)"))
    issue.add_argument("--name", help=_("the recipient's name (written only with --show-name)"))
    issue.add_argument("--show-name", action="store_true", help=_("the recipient agreed to be named on the award page"))
    issue.add_argument("--evidence", help=_("an evidence URL"))
    issue.add_argument("--narrative", help=_("what the recipient did (Markdown)"))
    issue.add_argument(
        "--issued-on", type=_day, metavar="YYYY-MM-DD", help=_("the issue date, e.g. 2026-04-01 (default: today)")
    )
    issue.add_argument(
        "--expires",
        type=_day,
        metavar="YYYY-MM-DD",
        help=_("the expiry date, e.g. 2027-03-31 (default: from the badge's valid_for)"),
    )
    issue.add_argument("--file", help=_("append to this award file instead of creating a new one"))
    issue.add_argument(
        "--again",
        action="store_true",
        help=_("award the badge also to recipients who already hold it (refused otherwise)"),
    )
    issue.add_argument(
        "--print-urls",
        action="store_true",
        help=_("print email, name and award page URL as CSV for a mail merge"),
    )
    issue.add_argument("--root", default=".", help=root_help)
    _quiet_option(issue)
    issue.set_defaults(func=cmd_issue)

    recipients = commands.add_parser(
        "recipients",
        help=_("print the mail-merge list of a badge again, for the emails of a spreadsheet (nothing is written)"),
    )
    recipients.add_argument("badge", help=_("the badge's slug (file stem in content/badgeclasses/)"))
    recipients.add_argument(
        "--csv",
        metavar="FILE",
        required=True,
        help=_("the spreadsheet (.csv or .xlsx) given to `sitegen issue`, or any with an email column"),
    )
    recipients.add_argument("--sheet", help=_("with an .xlsx workbook: the sheet to read (default: the first sheet)"))
    recipients.add_argument("--root", default=".", help=root_help)
    _quiet_option(recipients)
    recipients.set_defaults(func=cmd_recipients)

    notify_command = commands.add_parser(
        "notify",
        help=_(
            "email each recipient of a spreadsheet the awards not yet announced to them (or a reminder before expiry)"
        ),
        epilog=_(
            "The mail server is SITEGEN_SMTP_URL (smtp://user@host:587, STARTTLS whenever offered, or "
            "smtps://user@host:465) with the password in SITEGEN_SMTP_PASSWORD. What was sent is recorded in "
            "content/notified.yaml (award ids and days, never an email): commit it."
        ),
    )
    notify_command.add_argument(
        "--csv",
        metavar="FILE",
        required=True,
        help=_("the spreadsheet (.csv or .xlsx) given to `sitegen issue`, or any with an email column (and language)"),
    )
    notify_command.add_argument(
        "--sheet", help=_("with an .xlsx workbook: the sheet to read (default: the first sheet)")
    )
    notify_command.add_argument(
        "--expiring-within",
        type=_window,
        metavar="DAYS",
        help=_("remind the holders of awards that expire within this many days, e.g. 30d (once per award and window)"),
    )
    notify_command.add_argument(
        "--again",
        action="append",
        metavar="AWARD-ID",
        help=_("send the message of this award once more, although it was sent before"),
    )
    notify_how = notify_command.add_mutually_exclusive_group()
    notify_how.add_argument(
        "--dry-run", action="store_true", help=_("show what would be sent; nothing is sent or written")
    )
    notify_how.add_argument(
        "--outbox",
        metavar="DIR",
        help=_("write the messages into DIR as .eml files instead of sending them (recorded as sent)"),
    )
    notify_command.add_argument(
        "--from",
        dest="sender",
        metavar="ADDRESS",
        help=_("the sender, e.g. 'Badges <badges@example.ac.jp>' (default: the issuer's name and email)"),
    )
    notify_command.add_argument(
        "--wait",
        type=_seconds,
        default=0,
        metavar="SECONDS",
        help=_("wait up to this many seconds for the awards' pages to be online (a deploy still running)"),
    )
    notify_command.add_argument("--root", default=".", help=root_help)
    _quiet_option(notify_command)
    notify_command.set_defaults(func=cmd_notify)

    revoke = commands.add_parser("revoke", help=_("revoke an award (its YAML is edited, never deleted)"))
    revoke.add_argument("award_id", metavar="AWARD-ID", help=_("the award's id (as `sitegen issue` printed it)"))
    revoke.add_argument("--reason", required=True, help=_("why; published with the award"))
    revoke.add_argument(
        "--on", type=_day, metavar="YYYY-MM-DD", help=_("the revocation date, e.g. 2026-04-01 (default: today)")
    )
    revoke.add_argument("--root", default=".", help=root_help)
    revoke.set_defaults(func=cmd_revoke)

    import_command = commands.add_parser(
        "import",
        help=_("import awards already issued elsewhere (Moodle, Badgr, Open Badge Factory, …), verified first"),
    )
    import_command.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help=_(
            "a hosted assertion URL, a file listing such URLs, an assertion or credential (JSON, baked PNG or SVG), "
            "a Badgr / Canvas Credentials or Open Badge Factory export, or a saved copy of the old site (a folder)"
        ),
    )
    import_command.add_argument(
        "--offline", metavar="DIR", help=_("read every URL from this saved copy of the old site instead of the network")
    )
    import_command.add_argument("--dry-run", action="store_true", help=_("verify and print the plan; write nothing"))
    import_command.add_argument(
        "--include-revoked", action="store_true", help=_("import a revoked award as revoked, with its reason")
    )
    import_command.add_argument(
        "--platform",
        choices=importing.PLATFORMS,
        help=_("the platform the awards were first issued on (default: told by their URLs)"),
    )
    import_command.add_argument("--root", default=".", help=root_help)
    import_command.set_defaults(func=cmd_import)

    check = commands.add_parser(
        "check", help=_("the pull-request gate: validate, build, verify and compare with a base revision")
    )
    check.add_argument("--base", help=_("the git revision to compare with, e.g. origin/main"))
    check.add_argument(
        "--summary", help=_("append the Markdown plan to this file (default: $GITHUB_STEP_SUMMARY when set)")
    )
    check.add_argument("--root", default=".", help=root_help)
    check.add_argument(
        "--json", action="store_true", help=_("print the plan and its problems and notes as one JSON object")
    )
    check.set_defaults(func=cmd_check)

    keys = commands.add_parser("keys", help=_("manage the Open Badges 3.0 signing keys"))
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    generate = key_commands.add_parser("generate", help=_("create an Ed25519 key pair; prints what to put where"))
    generate.add_argument("--id", help=_("the key id (default: key-YEAR, or rsa-YEAR with --ob2)"))
    generate.add_argument(
        "--ob2",
        action="store_true",
        help=_("an RSA key for the optional Open Badges 2.0 signed assertions instead"),
    )
    generate.add_argument(
        "--private-key-file",
        help=_("write the private key to this file (outside the repository) instead of printing it"),
    )
    generate.add_argument("--root", default=".", help=root_help)
    generate.set_defaults(func=cmd_keys_generate)

    new = commands.add_parser("new", help=_("create a new content repository that builds as is"))
    new.add_argument("directory", help=_("the folder to create (must not exist or be empty)"))
    new.add_argument(
        "--microcredential",
        action="store_true",
        help=_("also a micro-credential badge giving every descriptor, with microcredential_profile: eu"),
    )
    new.set_defaults(func=cmd_new)

    # --lang after the command too (`sitegen build --lang ja`); SUPPRESS keeps a --lang given before it.
    for command in _subcommands(parser):
        _language_option(command, argparse.SUPPRESS)
    return parser


# What to do about a failure of the machine rather than of sitegen or the content (by errno), translated when shown.
SYSTEM_ADVICE = {
    errno.ENOSPC: N_("the disk is full: free some space and run it again"),
    errno.EDQUOT: N_("the disk quota is used up: free some space and run it again"),
    errno.EFBIG: N_("a file is over the size this system allows"),
    errno.EROFS: N_("the folder is on a read-only file system: choose another folder (--output)"),
    errno.EACCES: N_("no permission to write there: choose a folder of your own (--output)"),
    errno.EPERM: N_("no permission to write there: choose a folder of your own (--output)"),
    errno.EMFILE: N_("too many files are open: run it again with fewer jobs (--jobs 1)"),
}


def _system_problem(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    what = exc.strerror or str(exc)
    advice = _(SYSTEM_ADVICE[exc.errno]) if exc.errno in SYSTEM_ADVICE else ""
    return f"{what}{where}" + (f"; {advice}" if advice else "")


def chosen_language(argv: list[str], environ) -> str:
    """--lang's value when it is given and known (before or after the command), else the locale's language."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in MESSAGE_LANGUAGES:
            return value
    return language_from_environment(environ)


def run() -> NoReturn:
    """The `sitegen` command and `python -m sitegen`: main(), then the process ends without the interpreter's
    teardown, streams flushed. After a build of 100,000 awards the teardown walked every object of the site for
    almost a second, to give back memory the system takes back at once."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream was closed
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    use_language(chosen_language(argv, os.environ))
    for stream in (sys.stdout, sys.stderr):
        # Output in a legacy encoding (cp932: Japanese Windows, redirected to a file) lacks a few characters
        # sitegen prints (›, –, ✅): they show as ? rather than failing the command.
        if isinstance(stream, io.TextIOWrapper) and codecs.lookup(stream.encoding).name != "utf-8":
            stream.reconfigure(errors="replace")
    # argparse words its own messages through gettext's module-level functions: ours, in the language chosen.
    vars(argparse).update(_=_, ngettext=ngettext)
    with guarded_output():  # content printed in a message must not read as a command to the CI runner
        return _main(argv)


def _wants_json(args: argparse.Namespace) -> bool:
    """Failures of `build --json` and `check --json` are JSON too (verify keeps its own report shape)."""
    return bool(getattr(args, "json", False)) and args.command in ("build", "check")


def _quiet_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-q", "--quiet", action="store_true", help=_("show no progress of long work (a bar, or lines in a CI log)")
    )


def _unrecognized(parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]) -> str:
    """argparse's message for arguments no option takes, with the closest option of the command for a mistyped one
    (`--isued-on`: did you mean '--issued-on'?)."""
    problem = _("unrecognized arguments: %s") % " ".join(unknown)
    options = list(parser._option_string_actions)
    command: argparse.ArgumentParser | None = parser
    while command is not None:  # down the commands given: `keys generate`
        chosen = next((a for a in command._actions if isinstance(a, argparse._SubParsersAction)), None)
        command = chosen.choices.get(getattr(args, chosen.dest, None) or "") if chosen else None
        options += list(command._option_string_actions) if command else []
    top_level = set(parser._option_string_actions)
    for word in unknown:
        if word in top_level:  # --debug, --lang given after the command: argparse reads them only before it
            return _("{problem}; {option} goes before the command: sitegen {option} {command} …").format(
                problem=problem, option=word, command=getattr(args, "command", None) or "COMMAND"
            )
        close = difflib.get_close_matches(word.split("=", 1)[0], options, n=1) if word.startswith("--") else []
        if close:
            return _("{problem}; did you mean '{suggestion}'?").format(problem=problem, suggestion=close[0])
    return problem


def _main(argv: list[str] | None) -> int:
    parser = make_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(_unrecognized(parser, args, unknown))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        # Long work reports its progress on stderr; the display is closed before anything else is printed.
        with progress_display(quiet=getattr(args, "quiet", False)) as progress:
            args.progress = progress
            return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`sitegen check | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except BuildError as exc:
        if _wants_json(args):
            _print_json(_failure_json(str(exc), exc.diagnostics))
            return 1
        _print_diagnostics(exc.diagnostics)
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except SitegenError as exc:
        if args.debug:
            traceback.print_exc()
        problems = getattr(exc, "problems", [])
        if _wants_json(args):
            _print_json(_failure_json(str(exc), problems))
            return 1
        _print_diagnostics(problems)
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except OSError as exc:  # the machine, not sitegen: a full disk, a read-only or foreign folder
        if args.debug:
            traceback.print_exc()
        if _wants_json(args):
            _print_json(_failure_json(_system_problem(exc)))
            return 1
        print(_("error: {message}").format(message=_system_problem(exc)), file=sys.stderr)
        return 1
    except MemoryError:
        print(
            _(
                "error: out of memory; a build keeps the site's model in memory: close other programs or build "
                "on a machine with more memory"
            ),
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # a bug in sitegen, not a problem in the content
        if args.debug:
            traceback.print_exc()
        else:
            print(
                _(
                    "internal error: {kind}: {message}\n(run with --debug for the traceback, and please report it)"
                ).format(kind=type(exc).__name__, message=exc),
                file=sys.stderr,
            )
        return 3
