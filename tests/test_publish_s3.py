"""Publishing to S3, for real, against moto's server on 127.0.0.1 (started as a subprocess)."""

from __future__ import annotations

import hashlib
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from publish_helpers import PNG, SITE, free_port, write_site

from digest.errors import DigestError
from digest.publish import PublishResult, S3Target, parse_targets, publish

boto3 = pytest.importorskip("boto3")
from boto3.s3.transfer import TransferConfig

from digest.publish.s3 import S3Publisher

HTML = "text/html; charset=utf-8"
SHORT = "public, max-age=300"
LONG = "public, max-age=31536000, immutable"


@pytest.fixture(autouse=True)
def fake_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials from the environment, and no real AWS config or profile to find."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "output")


@pytest.fixture
def client(moto_url: str, fake_aws: None) -> Any:
    return boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1")


@pytest.fixture
def bucket(client: Any) -> str:
    name = f"digest-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name


def make_target(moto_url: str, bucket: str, **settings: Any) -> S3Target:
    raw = {"targets": {"bucket": {"type": "s3", "bucket": bucket, "region": "us-east-1",
                                  "endpoint_url": moto_url, **settings}}}
    target = parse_targets(raw, "digest.yaml").get()
    assert isinstance(target, S3Target)
    return target


@pytest.fixture
def target(moto_url: str, bucket: str) -> S3Target:
    return make_target(moto_url, bucket)


class Recorder:
    """Runs publishes with a client whose every S3 request is recorded by operation name."""

    def __init__(self, target: S3Target, **options: Any) -> None:
        self.publisher = S3Publisher(target, **options)
        self.calls: list[str] = []
        self.publisher.client.meta.events.register("before-call.s3.*", self._record)

    def _record(self, model: Any, **_kwargs: Any) -> None:
        self.calls.append(model.name)

    def publish(self, site: Path, **options: Any) -> PublishResult:
        self.calls.clear()
        return self.publisher.publish(site, **options)

    def writes(self) -> list[str]:
        return [c for c in self.calls if c in {"PutObject", "CreateMultipartUpload", "UploadPart",
                                               "CompleteMultipartUpload", "DeleteObjects", "DeleteObject"}]


def objects(client: Any, bucket: str) -> dict[str, bytes]:
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", ())]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in sorted(keys)}


def site_bytes(site: Path, prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{p.relative_to(site).as_posix()}": p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_first_publish_uploads_everything(site: Path, target: S3Target, client: Any, bucket: str) -> None:
    lines: list[str] = []
    result = publish(target, site, progress=lines.append)
    assert objects(client, bucket) == site_bytes(site)
    assert (result.uploaded, result.updated, result.deleted, result.unchanged) == (len(SITE), 0, 0, 0)
    assert result.bytes_moved == sum(len(b) for b in site_bytes(site).values())
    uploads = [line.removeprefix("upload ") for line in lines if line.startswith("upload ")]
    assert uploads[0] == "assets/style.3f2a9c1e.css" and uploads[-1] == "index.html"


def test_headers_are_right_for_each_file(site: Path, target: S3Target, client: Any, bucket: str) -> None:
    publish(target, site)
    expected = {
        "index.html": (HTML, SHORT),
        "2024/05/01/first/index.html": (HTML, SHORT),
        "404.html": (HTML, SHORT),
        "assets/style.3f2a9c1e.css": ("text/css; charset=utf-8", LONG),
        "feed.xml": ("application/xml; charset=utf-8", SHORT),
        "images/logo.png": ("image/png", "public, max-age=3600"),
    }
    for key, (kind, cache) in expected.items():
        head = client.head_object(Bucket=bucket, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (kind, cache), key
        body = (site / key).read_bytes()
        assert head["Metadata"] == {"digest-sha256": hashlib.sha256(body).hexdigest()}


def test_configured_cache_control_wins(site: Path, moto_url: str, client: Any, bucket: str) -> None:
    target = make_target(moto_url, bucket, cache_control={"images/*": "public, max-age=86400", "404.html": None})
    publish(target, site)
    assert client.head_object(Bucket=bucket, Key="images/logo.png")["CacheControl"] == "public, max-age=86400"
    assert "CacheControl" not in client.head_object(Bucket=bucket, Key="404.html")
    assert client.head_object(Bucket=bucket, Key="index.html")["CacheControl"] == SHORT


def test_second_publish_moves_nothing(site: Path, target: S3Target) -> None:
    recorder = Recorder(target)
    recorder.publish(site)
    result = recorder.publish(site)
    assert result.files_moved == 0 and result.bytes_moved == 0 and result.unchanged == len(SITE)
    assert recorder.calls == ["ListObjectsV2"]  # ETags decide: no HEAD, no upload


def test_editing_one_file_uploads_only_that_file(site: Path, target: S3Target, client: Any, bucket: str) -> None:
    recorder = Recorder(target)
    recorder.publish(site)
    (site / "about" / "index.html").write_text("<!doctype html><title>About</title><p>Edited.</p>\n")
    result = recorder.publish(site)
    assert result.plan.updates == ("about/index.html",) and result.plan.uploads == ()
    assert (result.uploaded, result.updated, result.deleted) == (0, 1, 0)
    assert recorder.writes() == ["PutObject"]
    assert objects(client, bucket) == site_bytes(site)


def test_a_failed_upload_stops_before_the_pages_that_link_to_it(site: Path, target: S3Target, client: Any,
                                                                bucket: str) -> None:
    from botocore.exceptions import ClientError

    recorder = Recorder(target)

    def refuse_the_first_article(params: dict[str, Any], **_kwargs: Any) -> None:
        if params.get("Key") == "2024/05/01/first/index.html":
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}},
                              "PutObject")

    recorder.publisher.client.meta.events.register("before-parameter-build.s3.PutObject", refuse_the_first_article)
    with pytest.raises(DigestError, match=r"uploading 2024/05/01/first/index.html to s3://.* failed: .*SlowDown"):
        recorder.publish(site)
    uploaded = set(objects(client, bucket))
    assert {"assets/style.3f2a9c1e.css", "images/logo.png"} <= uploaded  # the stage before went up
    assert "index.html" not in uploaded and "feed.xml" not in uploaded  # no link to the missing page


def test_same_size_edit_is_uploaded(site: Path, target: S3Target, client: Any, bucket: str) -> None:
    publish(target, site)
    css = site / "assets" / "style.3f2a9c1e.css"
    css.write_text(css.read_text().replace("serif", "Serif"))
    result = publish(target, site)
    assert result.plan.updates == ("assets/style.3f2a9c1e.css",)
    assert objects(client, bucket)["assets/style.3f2a9c1e.css"] == css.read_bytes()


def test_stale_objects_stay_without_delete_and_go_with_it(site: Path, target: S3Target, client: Any,
                                                          bucket: str) -> None:
    publish(target, site)
    (site / "2024" / "05" / "02" / "second" / "index.html").unlink()
    kept = publish(target, site)
    assert kept.deleted == 0 and kept.plan.kept == ("2024/05/02/second/index.html",)
    assert "2024/05/02/second/index.html" in objects(client, bucket)

    removed = publish(target, site, delete=True)
    assert removed.deleted == 1 and removed.plan.deletes == ("2024/05/02/second/index.html",)
    assert objects(client, bucket) == site_bytes(site)


def test_dry_run_reports_the_plan_and_writes_nothing(site: Path, target: S3Target, client: Any,
                                                     bucket: str) -> None:
    recorder = Recorder(target)
    first = recorder.publish(site, dry_run=True)
    assert sorted(first.plan.uploads) == sorted(SITE) and first.files_moved == 0
    assert recorder.writes() == [] and objects(client, bucket) == {}

    recorder.publish(site)
    (site / "index.html").write_text("changed\n")
    (site / "feed.xml").unlink()
    (site / "new.txt").write_text("new\n")
    before = objects(client, bucket)
    plan = recorder.publish(site, dry_run=True, delete=True).plan
    assert (plan.uploads, plan.updates, plan.deletes) == (("new.txt",), ("index.html",), ("feed.xml",))
    assert recorder.writes() == [] and objects(client, bucket) == before


def test_prefix_is_respected_and_nothing_outside_it_is_deleted(site: Path, moto_url: str, client: Any,
                                                               bucket: str) -> None:
    for key in ("site-old/index.html", "other.txt", "site"):
        client.put_object(Bucket=bucket, Key=key, Body=b"not ours")
    client.put_object(Bucket=bucket, Key="site/stale.html", Body=b"stale")
    target = make_target(moto_url, bucket, prefix="/site/")
    result = publish(target, site, delete=True)
    assert result.plan.deletes == ("stale.html",)
    assert objects(client, bucket) == {
        **site_bytes(site, "site/"), "site-old/index.html": b"not ours", "other.txt": b"not ours", "site": b"not ours",
    }
    assert publish(target, site, delete=True).files_moved == 0


def test_multipart_upload_is_not_uploaded_again(site: Path, target: S3Target, client: Any, bucket: str) -> None:
    big = os.urandom(300_000)
    (site / "images" / "photo.jpg").write_bytes(big)
    small_parts = TransferConfig(multipart_threshold=100_000, multipart_chunksize=5 * 1024 * 1024)
    first = Recorder(target, transfer_config=small_parts)
    first.publish(site)
    assert "CreateMultipartUpload" in first.calls
    etag = client.head_object(Bucket=bucket, Key="images/photo.jpg")["ETag"]
    assert "-" in etag  # a multipart ETag is not the MD5 of the content

    again = Recorder(target)
    result = again.publish(site)
    assert result.files_moved == 0
    assert again.writes() == []
    assert again.calls.count("HeadObject") == 1  # only the multipart object needed its metadata read

    # and a real change of that file is still seen, even at the same size
    (site / "images" / "photo.jpg").write_bytes(os.urandom(300_000))
    assert again.publish(site).plan.updates == ("images/photo.jpg",)


def test_multipart_object_without_our_hash_is_replaced(site: Path, target: S3Target, client: Any,
                                                       bucket: str) -> None:
    # someone else's multipart upload of the same bytes: we cannot know it matches without downloading
    client.upload_file(str(site / "images" / "logo.png"), bucket, "images/logo.png",
                       Config=TransferConfig(multipart_threshold=1))
    assert "-" in client.head_object(Bucket=bucket, Key="images/logo.png")["ETag"]
    result = publish(target, site)
    assert "images/logo.png" in result.plan.updates
    head = client.head_object(Bucket=bucket, Key="images/logo.png")
    assert head["ContentType"] == "image/png" and "digest-sha256" in head["Metadata"]
    assert len(PNG) == head["ContentLength"]


@pytest.mark.slow
def test_many_stale_objects_are_listed_by_page_and_deleted_in_batches(site: Path, target: S3Target, client: Any,
                                                                      bucket: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: client.put_object(Bucket=bucket, Key=f"old/{n:04d}.html", Body=b"x"), range(1005)))
    recorder = Recorder(target)
    result = recorder.publish(site, delete=True)
    assert result.deleted == 1005
    assert recorder.calls.count("ListObjectsV2") == 2
    assert recorder.calls.count("DeleteObjects") == 2
    assert objects(client, bucket) == site_bytes(site)


def test_missing_bucket_is_a_clear_error(site: Path, moto_url: str) -> None:
    target = make_target(moto_url, "no-such-bucket")
    with pytest.raises(DigestError, match=r"publish target 'bucket': listing s3://no-such-bucket/ at "
                                          r"http://127.0.0.1:\d+ failed: .*NoSuchBucket"):
        publish(target, site)


def test_unreachable_endpoint_is_a_clear_error(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    target = make_target(f"http://127.0.0.1:{free_port()}", "b")
    with pytest.raises(DigestError, match="publish target 'bucket': listing s3://b/ at .* failed: Could not connect"):
        publish(target, site)


def test_missing_boto3_says_how_to_install_it(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 now raises ImportError
    with pytest.raises(DigestError, match=r"pip install 'digest\[s3\]'"):
        publish(S3Target("bucket", "b"), site)
