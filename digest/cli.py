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
@click.argument("title")
@_site_option
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option("--source-url", help="The story's original URL.")
@click.option("--source-name", help="Who published the story, e.g. Reuters.")
def new(site_dir: Path, title: str, tags: tuple[str, ...], source_url: str | None, source_name: str | None) -> None:
    """Create a draft article dated now; print its path."""
    from digest.build import now_from_env
    from digest.newarticle import create_article

    def action() -> int:
        path = create_article(
            site_dir, title, now_from_env(), tags=tags, source_url=source_url, source_name=source_name
        )
        click.echo(str(path))
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
