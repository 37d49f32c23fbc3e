"""Publish into an S3 bucket (or any S3-compatible store) with boto3.

A file is uploaded only when its content differs from the object's: the
listing's ETag is the MD5 of a single-part upload; a multipart upload's ETag
is not, so every object we upload also carries our own SHA-256 in its
metadata (``x-amz-meta-digest-sha256``), read with a HEAD request only when
the ETag and size cannot decide. Objects are never downloaded to hash them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.errors import DigestError
from digest.publish.config import S3Target
from digest.publish.headers import cache_control, content_type
from digest.publish.plan import LocalFile, Progress, PublishResult, make_plan, result_of, scan_local, silent

#: Metadata key of our content hash (sent as ``x-amz-meta-digest-sha256``).
SHA256_KEY = "digest-sha256"

_DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes


@dataclass(frozen=True, slots=True)
class RemoteObject:
    """One object of the listing."""

    key: str
    size: int
    etag: str  #: without quotes


def _boto3() -> Any:
    try:
        import boto3
    except ImportError:
        raise DigestError(
            "publishing to S3 needs boto3, which is not installed: pip install 'digest[s3]'"
        ) from None
    return boto3


def object_key(prefix: str, relpath: str) -> str:
    """The key of a site file under the target's prefix."""
    return f"{prefix}/{relpath}" if prefix else relpath


def upload_args(relpath: str, info: LocalFile, target: S3Target) -> dict[str, Any]:
    """The ``ExtraArgs`` of an upload: content type, cache control, our content hash."""
    args: dict[str, Any] = {
        "ContentType": content_type(relpath),
        "Metadata": {SHA256_KEY: info.sha256},
    }
    cache = cache_control(relpath, target.cache_control)
    if cache:
        args["CacheControl"] = cache
    return args


class S3Publisher:
    """Sync a built site into ``target.bucket`` under ``target.prefix``.

    ``client`` and ``transfer_config`` are for tests and callers that already
    have them; by default the client comes from the usual AWS credential chain
    (environment, profile, instance role) with the target's region, profile
    and endpoint.
    """

    def __init__(self, target: S3Target, *, client: Any = None, transfer_config: Any = None) -> None:
        self.target = target
        boto3 = _boto3()
        if client is None:
            session = boto3.session.Session(profile_name=target.profile, region_name=target.region)
            client = session.client("s3", endpoint_url=target.endpoint_url)
        self.client = client
        self.transfer_config = transfer_config

    def _fail(self, doing: str, exc: Exception) -> DigestError:
        where = f"s3://{self.target.bucket}/{self.target.prefix}"
        if self.target.endpoint_url:
            where += f" at {self.target.endpoint_url}"
        return DigestError(f"publish target '{self.target.name}': {doing} {where} failed: {exc}")

    def _errors(self) -> tuple[type[Exception], ...]:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError, Boto3Error)

    # ---------------------------------------------------------------- remote state

    def list_remote(self) -> dict[str, RemoteObject]:
        """Objects under the prefix by site path; folder markers (keys ending in ``/``) are not ours."""
        prefix = self.target.prefix
        # the trailing slash keeps prefix "site" from reaching into "site-old/"
        list_prefix = f"{prefix}/" if prefix else ""
        found: dict[str, RemoteObject] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.target.bucket, Prefix=list_prefix):
                for item in page.get("Contents", ()):
                    key = item["Key"]
                    if not key.startswith(list_prefix) or key.endswith("/"):
                        continue
                    found[key[len(list_prefix):]] = RemoteObject(key, int(item["Size"]), item["ETag"].strip('"'))
        except self._errors() as exc:
            raise self._fail("listing", exc) from None
        return found

    def _same(self, rel: str, info: LocalFile, obj: RemoteObject) -> bool:
        if obj.etag == info.md5:
            return True
        if obj.size != info.size:
            return False
        # same size, ETag not an MD5 we match: a multipart upload (or SSE-KMS);
        # our own hash in the metadata decides, and without it we must upload
        try:
            head = self.client.head_object(Bucket=self.target.bucket, Key=obj.key)
        except self._errors() as exc:
            raise self._fail(f"reading metadata of {obj.key} in", exc) from None
        metadata: Mapping[str, str] = head.get("Metadata") or {}
        return metadata.get(SHA256_KEY) == info.sha256

    # ---------------------------------------------------------------- publish

    def publish(self, site_dir: str | Path, *, delete: bool = False, dry_run: bool = False,
                progress: Progress | None = None) -> PublishResult:
        say = progress or silent
        target = self.target
        local = scan_local(site_dir)
        say(f"list s3://{target.bucket}/{target.prefix}")
        remote = self.list_remote()
        plan = make_plan(local, remote, self._same, delete=delete)
        if dry_run:
            for line in plan.lines():
                say(f"would {line}")
            return result_of(target.name, "s3", plan, local, dry_run=True)

        self._upload_stages(plan.write_stages(), frozenset(plan.uploads), local, say)
        deletes = plan.delete_order()
        for batch in _batches([remote[rel].key for rel in deletes], _DELETE_BATCH):
            for key in batch:
                say(f"delete {key[len(target.prefix) + 1:] if target.prefix else key}")
            self._delete(batch)
        if plan.kept:
            say(plan.kept_note())
        return result_of(target.name, "s3", plan, local, dry_run=False)

    def _upload_stages(self, stages: tuple[tuple[str, ...], ...], new: frozenset[str],
                       local: Mapping[str, LocalFile], say: Progress) -> None:
        """Upload each stage's files concurrently, a stage only once the one before it is complete."""
        from boto3.s3.transfer import TransferConfig, create_transfer_manager

        config = self.transfer_config or TransferConfig()
        with create_transfer_manager(self.client, config) as manager:
            for stage in stages:
                futures = [
                    (rel, manager.upload(str(local[rel].path), self.target.bucket,
                                         object_key(self.target.prefix, rel),
                                         extra_args=upload_args(rel, local[rel], self.target)))
                    for rel in stage
                ]
                failed: list[tuple[str, Exception]] = []
                for rel, future in futures:
                    try:
                        future.result()
                    except self._errors() as exc:
                        failed.append((rel, exc))
                        continue
                    say(f"{'upload' if rel in new else 'update'} {rel}")
                if failed:
                    # later stages link to this one's files: stop before writing them
                    first, error = failed[0]
                    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
                    raise self._fail(f"uploading {first}{more} to", error)

    def _delete(self, keys: list[str]) -> None:
        prefix = self.target.prefix
        for key in keys:
            # never delete outside the prefix, whatever the listing said
            if prefix and not key.startswith(f"{prefix}/"):  # pragma: no cover - guarded by list_remote
                raise RuntimeError(f"refusing to delete {key!r} outside prefix {prefix!r}")
        try:
            response = self.client.delete_objects(
                Bucket=self.target.bucket,
                Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
            )
        except self._errors() as exc:
            raise self._fail("deleting from", exc) from None
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise DigestError(
                f"publish target '{self.target.name}': could not delete {len(errors)} object(s) from "
                f"s3://{self.target.bucket}: {first.get('Key')}: {first.get('Code')} {first.get('Message')}"
            )


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
