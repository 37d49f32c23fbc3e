"""Command line: parse arguments, call a command function, print, map errors to exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from datetime import datetime
from typing import Any, Callable

import click

from digest import __version__
from digest.errors import DigestError

EXIT_PROBLEMS = 1
EXIT_INTERRUPTED = 130


def _site_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--site",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The site folder (with digest.yaml and content/).",
    )(func)


def _run(action: Callable[[], int | None]) -> None:
    try:
        code = action()
    except DigestError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_PROBLEMS) from None
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    raise SystemExit(code or 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def cli() -> None:
    """digest: build, preview and publish a curated news digest."""


@cli.command()
@_site_option
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--future", is_flag=True, help="Include articles dated in the future.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per CPU).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update .digest-cache/.")
@click.option("--base-url", help="Override base_url from digest.yaml.")
@click.option("-v", "--verbose", is_flag=True, help="Print timings and excluded articles.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--no-wait", is_flag=True, help="Refuse at once when another build is writing the output.")
def build(
    site_dir: Path, output_dir: Path | None, drafts: bool, future: bool, jobs: int, no_cache: bool,
    base_url: str | None, verbose: bool, quiet: bool, no_wait: bool,
) -> None:
    """Build the site into output/."""
    from digest.pipeline import BuildOptions
    from digest.pipeline import build as run_build
    from digest.write.lock import Holder

    def waiting(holder: Holder) -> None:
        click.echo(f"{holder.describe()}: waiting for it to finish (Ctrl-C to stop, --no-wait to refuse)", err=True)

    def action() -> int:
        result = run_build(
            BuildOptions(
                site_dir=site_dir, output_dir=output_dir, drafts=drafts, future=future, jobs=jobs,
                use_cache=not no_cache, base_url=base_url, wait=not no_wait, on_wait=waiting,
            )
        )
        if verbose:
            for name, seconds in result.timings.items():
                click.echo(f"  {name:<10} {seconds * 1000:8.1f} ms")
            click.echo(
                f"  markdown rendered for {result.rendered_markdown} files; {result.rendered_pages} pages rendered;"
                f" plan {'kept from the last build' if result.plan_kept else 'made'}"
            )
            for item in result.excluded:
                when = item.date.strftime("%Y-%m-%d %H:%M %Z")
                why = "draft (use --drafts)" if item.reason == "draft" else f"future: appears {when} (use --future)"
                click.echo(f"  left out {item.path}: {why}")
        if not quiet:
            click.echo(
                f"built {result.articles} articles, {result.pages} pages in {result.seconds:.2f} s"
                f" ({result.written} written, {result.unchanged} unchanged, {result.deleted} removed) -> {result.output}"
            )
        return 0

    _run(action)


@cli.command()
@_site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--future", is_flag=True, help="Include articles dated in the future.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--poll", is_flag=True, help="Poll for changes (network and container file systems).")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name (a proxy's or a LAN name); repeatable.")
def serve(
    site_dir: Path, host: str, port: int, drafts: bool, future: bool, open_browser: bool, poll: bool,
    allowed_hosts: tuple[str, ...],
) -> None:
    """Build in memory, serve, rebuild on change and reload open pages."""
    from digest.server import ServeOptions
    from digest.server import serve as run_serve
    from digest.pipeline import now_from_env
    from digest.server.app import ErrorCleared, ErrorShown, Rebuilt, ServeEvent, Serving

    def show(event: ServeEvent) -> None:
        if isinstance(event, Serving):
            report = event.report
            if report.ok:
                click.echo(f"built {report.articles} articles, {report.pages} pages in {report.seconds:.2f} s")
            click.echo(f"serving {event.url} (Ctrl-C to stop)")
            if event.capture_url:
                click.echo(f"capture bookmarklet: {event.capture_url}")
            if event.warning:
                click.secho(event.warning, err=True, fg="red", bold=True)
        elif isinstance(event, Rebuilt):
            report = event.report
            if report.ok and report.changed:
                what = "stylesheet swapped" if report.css_only else f"{report.reparsed} article(s) parsed"
                seconds = report.ready_seconds if report.ready_seconds is not None else report.seconds
                click.echo(f"rebuilt in {seconds * 1000:.0f} ms ({what})")
        elif isinstance(event, ErrorShown):
            click.echo(event.error.text, err=True)
        elif isinstance(event, ErrorCleared):
            click.echo("fixed: the site builds again")

    def action() -> int:
        capture = None
        if host in ("127.0.0.1", "localhost", "::1"):  # the bookmarklet only ever talks to this machine
            from digest.commands.importing import import_capture

            def capture_now(request: Any) -> str:
                return import_capture(site_dir, request, now=now_from_env())

            capture = capture_now
        run_serve(
            ServeOptions(site_dir=site_dir, host=host, port=port, drafts=drafts, future=future,
                         open_browser=open_browser, poll=poll, capture=capture, allowed_hosts=allowed_hosts),
            show,
        )
        click.echo("stopped")
        return 0

    _run(action)


@cli.command()
@click.argument("title")
@_site_option
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--source-url", help="The story's original URL.")
@click.option("--source-name", help="Who published the story, e.g. Reuters.")
@click.option("--lang", help="On a multilingual site: the language's folder to write in (default: the default language).")
def new(
    site_dir: Path, title: str, tags: tuple[str, ...], source_url: str | None, source_name: str | None,
    lang: str | None,
) -> None:
    """Create a draft article dated now; print its path."""
    from digest.pipeline import now_from_env
    from digest.commands.new import create_article

    def action() -> int:
        path = create_article(
            site_dir, title, now_from_env(), tags=tags, source_url=source_url, source_name=source_name, lang=lang
        )
        click.echo(str(path))
        return 0

    _run(action)


@cli.group()
def theme() -> None:
    """Make and change themes."""


@theme.command("new")
@click.argument("name")
@_site_option
def theme_new(name: str, site_dir: Path) -> None:
    """Copy the default templates into themes/NAME/ to change them."""
    from digest.commands.theme import create_theme

    def action() -> int:
        made = create_theme(site_dir, name)
        click.echo(f"{made.folder}: {len(made.files)} files; set 'theme: {name}' in digest.yaml to use it")
        return 0

    _run(action)


@cli.command()
@_site_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a list of {path, line, severity, message}.")
@click.option("--drafts", is_flag=True, help="Check drafts as if published.")
@click.option("--future", is_flag=True, help="Check future-dated articles as if published.")
def check(site_dir: Path, fmt: str, drafts: bool, future: bool) -> None:
    """Validate the site without building it; list drafts and future articles.

    Exit code 1 when there are errors or warnings; info lines alone exit 0.
    """
    import json

    from digest.pipeline import now_from_env
    from digest.workers import cpu_count
    from digest.commands.check import ERROR, INFO, WARNING, check_site

    def action() -> int:
        result = check_site(site_dir, now=now_from_env(), drafts=drafts, future=future, jobs=cpu_count(0))
        if fmt == "json":
            click.echo(json.dumps([f.to_dict() for f in result.findings], indent=2, ensure_ascii=False))
        else:
            for finding in result.findings:
                # errors read exactly as the build prints them; the others say what they are
                if finding.severity == ERROR:
                    click.echo(str(finding))
                else:
                    where = f"{finding.path}:{finding.line}" if finding.line else finding.path
                    click.echo(f"{where}: {finding.severity}: {finding.message}")
            errors, warnings, infos = (result.count(s) for s in (ERROR, WARNING, INFO))
            counts = [f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
            info = f", {infos} info" if infos else ""
            files = f"{result.files} file{'s' if result.files != 1 else ''}"
            click.echo(f"checked {files}: {', '.join(counts)}{info}")
        return 0 if result.ok else EXIT_PROBLEMS

    _run(action)


@cli.command(name="import")
@click.argument("source", required=False)
@_site_option
@click.option("--source-url", help="The story's URL (else the page's canonical URL).")
@click.option("--source-name", help="The publication, e.g. Reuters.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--via", help="Who pointed you to the story (a name or URL).")
@click.option("--accept-suggested-tags", is_flag=True, help="Also add suggested tags (site tags in the text, new keywords).")
@click.option("--draft", is_flag=True, help="Mark the new article as a draft.")
@click.option("--force", is_flag=True, help="Import even when the story looks like a duplicate.")
@click.option("--link", "link", metavar="URL", help="Write a link item (no body) pointing at URL; SOURCE is not read.")
@click.option("--title", help="With --link: the headline (else fetched from the page).")
@click.option("--note", help="A note to show with the story (why it matters).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Feeds: only entries from this day on.")
@click.option("--limit", type=click.IntRange(min=1), help="Feeds: write at most N entries, newest first.")
def import_(
    source: str | None, site_dir: Path, source_url: str | None, source_name: str | None, tags: tuple[str, ...],
    via: str | None, accept_suggested_tags: bool, draft: bool, force: bool, link: str | None, title: str | None,
    note: str | None, since: datetime | None, limit: int | None,
) -> None:
    """Turn a clipping (text), a saved page (HTML), a page's URL or a feed into new articles.

    SOURCE is a file, '-' for standard input, or an http(s) URL. An RSS/Atom
    feed or an OPML list of feeds (file or URL) gives one draft per new entry.
    """
    from digest.pipeline import now_from_env
    from digest.config import load_config
    from digest.commands.fetch import FEED_TYPES, fetch_page, is_url
    from digest.commands.importing import SaveOptions, import_feed, import_link, import_url, parse_input, save_item
    from digest.importer.decode import decode_input
    from digest.importer.feed import looks_like_feed

    def action() -> int:
        config = load_config(site_dir)
        options = SaveOptions(tags=tags, via=via, note=note, accept_suggested=accept_suggested_tags, force=force,
                              draft=draft)
        if link:
            if source:
                raise DigestError("give either SOURCE or --link URL, not both")
            result = import_link(site_dir, config, link, options, title=title, now=now_from_env(),
                                 source_name=source_name)
        elif source is None:
            raise click.UsageError("nothing to import: give a file, '-' for standard input, a URL, or --link URL")
        else:
            if is_url(source):
                fetched = fetch_page(source, feeds=True)
                data, name = fetched.data, fetched.url
                if fetched.content_type not in FEED_TYPES:
                    result = import_url(site_dir, config, source, options, now=now_from_env(), source_url=source_url,
                                        source_name=source_name, fetched=fetched)
                    data = b""
            elif source == "-":
                data, name = click.get_binary_stream("stdin").read(), "<stdin>"
            else:
                try:
                    data, name = Path(source).read_bytes(), source
                except OSError as exc:
                    raise DigestError(f"cannot read the input: {exc.strerror}", source) from None
            if data and looks_like_feed(decode_input(data, name)):
                feed = import_feed(site_dir, config, data, name, options, now=now_from_env(),
                                   since=since.date() if since else None, limit=limit)
                for written in feed.written:
                    for warning in written.warnings:
                        click.echo(f"warning: {written.path}: {warning}", err=True)
                    click.echo(str(written.path))
                click.echo(
                    f"{len(feed.written)} new draft(s) from {len(feed.feeds)} feed(s); skipped {feed.already} already"
                    f" on the site, {feed.older} before --since, {feed.over_limit} over --limit", err=True,
                )
                return 0
            if data:
                item = parse_input(data, name, config, now=now_from_env(), source_url=source_url,
                                   source_name=source_name)
                result = save_item(site_dir, config, item, name, options)
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        if result.suggested:
            click.echo(f"suggested tags: {', '.join(result.suggested)} (add them with --accept-suggested-tags)", err=True)
        click.echo(str(result.path))
        return 0

    _run(action)


@cli.command()
@click.argument("target", required=False)
@_site_option
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path), help="Build folder.")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--delete", is_flag=True, help="Remove remote files the site no longer has.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes for the build.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary and errors.")
def publish(
    target: str | None, site_dir: Path, output_dir: Path | None, dry_run: bool, delete: bool, jobs: int, quiet: bool
) -> None:
    """Build for production and upload what changed to TARGET (default: publish.default)."""
    from digest.commands.publish import publish_site

    def action() -> int:
        run = publish_site(
            site_dir.resolve(), target, delete=delete, dry_run=dry_run, output_dir=output_dir,
            progress=None if quiet else click.echo, jobs=jobs,
        )
        click.echo(
            f"built {run.build.articles} articles, {run.build.pages} pages in {run.build.seconds:.2f} s"
        )
        click.echo(run.result.summary())
        return 0

    _run(action)


class _EditionGroup(click.Group):
    """``digest edition N ...`` is ``digest edition show N ...``: a number (or ``latest``) names the edition."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and (args[0].isdigit() or args[0] == "latest"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


@cli.group(cls=_EditionGroup)
def edition() -> None:
    """An edition's e-mail copies (digest edition N --email | --text) and sending it (digest edition send N)."""


def _edition_number(value: str) -> int | None:
    if value == "latest":
        return None
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(f"'{value}' is not an edition number (or 'latest')")
    return int(value)


@edition.command(name="show")
@click.argument("number")
@_site_option
@click.option("--email", "kind", flag_value="html", help="Print the e-mail HTML (email.html).")
@click.option("--text", "kind", flag_value="text", help="Print the plain-text copy (email.txt).")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
def edition_show(number: str, site_dir: Path, kind: str | None, drafts: bool) -> None:
    """Print edition NUMBER (or 'latest') as e-mail HTML or text, for piping into any mail tool."""
    from digest.commands.edition import edition_copies

    wanted = _edition_number(number)

    def action() -> int:
        copies = edition_copies(site_dir, wanted, drafts=drafts)
        if kind is None:
            e = copies.edition
            state = "finished" if e.finished else "in progress"
            click.echo(f"{e.title}: edition {e.number}, {e.count} articles, {e.start} to {e.end}, {state}")
            click.echo("print it with --email (HTML) or --text (plain text)")
        else:
            click.echo(copies.html if kind == "html" else copies.text, nl=False)
        return 0

    _run(action)


@edition.command(name="send")
@click.argument("number")
@_site_option
@click.option("--to", "to", multiple=True, metavar="ADDRESS", help="A recipient; repeat for more.")
@click.option("--list", "list_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A file of recipients, one address a line.")
@click.option("--force", is_flag=True, help="Send an unfinished edition, or one holding drafts.")
@click.option("--resend", is_flag=True, help="Send an edition that was sent before.")
@click.option("--dry-run", is_flag=True, help="Print the messages instead of sending them.")
def edition_send(
    number: str, site_dir: Path, to: tuple[str, ...], list_file: Path | None, force: bool, resend: bool, dry_run: bool
) -> None:
    """Send edition NUMBER (HTML and text) through the SMTP server in $DIGEST_SMTP_URL."""
    from digest.commands.edition import send_edition

    wanted = _edition_number(number)
    if wanted is None:
        raise click.BadParameter("name the edition to send by its number")

    def action() -> int:
        result = send_edition(site_dir, wanted, to=to, list_file=list_file, force=force, resend=resend,
                              dry_run=dry_run)
        if not result.sent:
            for message in result.messages:
                click.echo(message.as_string())
            click.echo(f"dry run: {len(result.messages)} message(s) not sent", err=True)
        else:
            click.echo(f"sent edition {result.edition.number} to {len(result.messages)} address(es) via {result.target}")
        return 0

    _run(action)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="digest", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
