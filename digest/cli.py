"""Command line: parse arguments, call a command function, print, map errors to exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
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
def build(
    site_dir: Path, output_dir: Path | None, drafts: bool, future: bool, jobs: int, no_cache: bool,
    base_url: str | None, verbose: bool, quiet: bool,
) -> None:
    """Build the site into output/."""
    from digest.build import BuildOptions
    from digest.build import build as run_build

    def action() -> int:
        result = run_build(
            BuildOptions(
                site_dir=site_dir, output_dir=output_dir, drafts=drafts, future=future, jobs=jobs,
                use_cache=not no_cache, base_url=base_url,
            )
        )
        if verbose:
            for name, seconds in result.timings.items():
                click.echo(f"  {name:<10} {seconds * 1000:8.1f} ms")
            click.echo(
                f"  markdown rendered for {result.rendered_markdown} files; {result.rendered_pages} pages rendered"
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
def serve(site_dir: Path, host: str, port: int, drafts: bool, future: bool, open_browser: bool, poll: bool) -> None:
    """Build in memory, serve, rebuild on change and reload open pages."""
    from digest.server import ServeOptions
    from digest.server import serve as run_serve
    from digest.server.app import ErrorCleared, ErrorShown, Rebuilt, ServeEvent, Serving

    def show(event: ServeEvent) -> None:
        if isinstance(event, Serving):
            report = event.report
            if report.ok:
                click.echo(f"built {report.articles} articles, {report.pages} pages in {report.seconds:.2f} s")
            click.echo(f"serving {event.url} (Ctrl-C to stop)")
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
        run_serve(
            ServeOptions(site_dir=site_dir, host=host, port=port, drafts=drafts, future=future,
                         open_browser=open_browser, poll=poll),
            show,
        )
        click.echo("stopped")
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
