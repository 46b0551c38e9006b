"""Cloud storage through fsspec: options from the AWS chain, clear errors, provider checksums, transfers.

Every remote protocol (``s3://``, ``gs://``, ``hf://``, ...) goes through the same functions; only the
option defaults for S3 are filled from the standard AWS environment (credentials, profiles and
``AWS_ENDPOINT_URL`` are read by botocore itself; the endpoint is also passed explicitly so older s3fs
versions honour it too), which makes MinIO, Ceph, R2 and other S3-compatible stores work.

>>> from lineagedb.core._cloud import root_of
>>> root_of("s3://my-bucket/folder/file.csv")
's3://my-bucket'
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import StorageError
from .hashing import Hashed, encode, folder_hash

PROGRESS_MIN_BYTES = 8 << 20  # transfers at least this large show a progress bar
MULTIPART_CHUNK = 16 << 20  # part size of multipart uploads (S3's minimum part is 5 MiB)
MULTIPART_MIN_BYTES = 2 * MULTIPART_CHUNK  # files this large are uploaded in parts, in parallel
ETAG_HASH_TYPE = "md5-etag"  # a single-part S3 ETag: the MD5 of the content
MULTIPART_ETAG_HASH_TYPE = "s3-multipart-etag"  # MD5 of part MD5s: content-derived, not a plain MD5
ETAG_FOLDER_HASH_TYPE = "etag-folder"  # a folder's hash over (relative path, provider checksum) pairs

_OPTIONS: dict[str, dict[str, Any]] = {}  # root prefix -> fsspec storage options set by the user


def protocol_of(url: str) -> str:
    """``s3://b/k`` -> ``s3``; a local path -> ``file``."""
    url = str(url)
    return url.split("://", 1)[0] if "://" in url else "file"


def is_remote(url: str) -> bool:
    """Whether ``url`` names a remote (non-local) fsspec location."""
    return protocol_of(url) not in {"file", "local"}


def root_of(url: str) -> str:
    """The storage root of a remote path: the bucket (``s3://bucket``) or first component.

    >>> root_of("gs://bkt/a/b.txt")
    'gs://bkt'
    """
    protocol, rest = str(url).split("://", 1)
    return f"{protocol}://{rest.strip('/').split('/', 1)[0]}"


def bucket_of(url: str) -> str:
    """The bucket (first component) of a remote path."""
    return root_of(url).split("://", 1)[1]


def set_storage_options(root: str, **options: Any) -> None:
    """Remember fsspec options for every path under ``root`` (e.g. ``anon=True``, ``profile=...``).

    >>> set_storage_options("s3://lamindata", anon=True)  # doctest: +SKIP
    """
    _OPTIONS[str(root).rstrip("/")] = dict(options)


def storage_options(url: str, **overrides: Any) -> dict[str, Any]:
    """The fsspec options for ``url``: AWS endpoint/profile defaults, then registered ones, then ``overrides``."""
    url = str(url)
    options: dict[str, Any] = {}
    if protocol_of(url) in {"s3", "s3a"}:
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            options["endpoint_url"] = endpoint
        if os.environ.get("AWS_PROFILE") and not os.environ.get("AWS_ACCESS_KEY_ID"):
            options["profile"] = os.environ["AWS_PROFILE"]
    for prefix in sorted(_OPTIONS, key=len):
        if url == prefix or url.startswith(prefix + "/"):
            options.update(_OPTIONS[prefix])
    options.update(overrides)
    if options.get("anon"):
        options.pop("profile", None)
    elif protocol_of(url) in {"s3", "s3a"} and not _CREDENTIAL_OPTIONS & set(options) and not _has_credentials(
            *(os.environ.get(k) for k in _CREDENTIAL_ENV)):
        options["anon"] = True  # nothing in the AWS chain: read public buckets anonymously
    return options


_CREDENTIAL_OPTIONS = {"anon", "key", "secret", "token", "profile", "session"}
_CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
                   "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


@functools.lru_cache(maxsize=8)
def _has_credentials(*env: str | None) -> bool:
    """Whether botocore's credential chain finds anything (cached per relevant environment)."""
    try:
        import botocore.session

        return botocore.session.get_session().get_credentials() is not None
    except Exception:  # noqa: BLE001 - e.g. a broken profile: let the request report it
        return True


def filesystem(url: str, **overrides: Any):  # noqa: ANN201
    """The fsspec filesystem for ``url`` (instances are cached by fsspec per option set)."""
    import fsspec

    return fsspec.filesystem(protocol_of(url), **storage_options(url, **overrides))


def _what_to_check(url: str, action: str) -> str:
    bucket = bucket_of(url)
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    where = f" at endpoint {endpoint}" if endpoint and protocol_of(url) in {"s3", "s3a"} else ""
    return f"{url} (bucket {bucket!r}{where})"


def storage_error(url: str, action: str, exc: BaseException) -> StorageError:
    """Turn a botocore/s3fs/fsspec failure into a StorageError naming the bucket and what to check."""
    name = type(exc).__name__
    text = str(exc)
    ctx = _what_to_check(url, action)
    if name in {"NoCredentialsError", "PartialCredentialsError"} or "Unable to locate credentials" in text:
        hint = ("no credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, "
                "or pass anon=True for a public bucket")
    elif any(s in text for s in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken")):
        hint = "the credentials were rejected: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile"
    elif "NoSuchBucket" in text or "bucket does not exist" in text.lower():
        hint = "the bucket does not exist: check its name, the region and AWS_ENDPOINT_URL"
    elif isinstance(exc, PermissionError) or "AccessDenied" in text or "Forbidden" in text:
        hint = ("access denied: check that your credentials may " + ("write to" if action != "read" else "read")
                + " this bucket (public buckets are read-only; pass anon=True to read them without credentials)")
    elif name in {"EndpointConnectionError", "ConnectTimeoutError", "ClientConnectorError", "ConnectionError"} \
            or "Could not connect" in text or "Cannot connect" in text:
        hint = "the storage endpoint cannot be reached: check AWS_ENDPOINT_URL and your network"
    elif isinstance(exc, FileNotFoundError):
        hint = "nothing exists at this path: check the key or folder name"
    else:
        hint = f"{name}: {text.splitlines()[0][:200] if text else 'no details'}"
    return StorageError(f"cannot {action} {ctx}: {hint}")


@contextlib.contextmanager
def translated(url: str, action: str = "read") -> Iterator[None]:
    """Re-raise cloud failures inside the block as :class:`StorageError` (local paths pass through).

    >>> with translated("s3://bucket/x", "write"):  # doctest: +SKIP
    ...     fs.pipe("bucket/x", b"...")
    """
    if not is_remote(url):
        yield
        return
    try:
        yield
    except StorageError:
        raise
    except (OSError, ValueError, RuntimeError) as e:  # s3fs maps ClientErrors to OSErrors; botocore raises others
        raise storage_error(url, action, e) from e
    except Exception as e:  # noqa: BLE001 - botocore's own exception classes
        if type(e).__module__.startswith(("botocore", "aiobotocore", "aiohttp")):
            raise storage_error(url, action, e) from e
        raise


def bucket_region(url: str, **overrides: Any) -> str | None:
    """The region of an S3 bucket (None for other protocols or when it cannot be asked)."""
    if protocol_of(url) not in {"s3", "s3a"}:
        return None
    fs = filesystem(url, **overrides)
    try:
        out = fs.call_s3("get_bucket_location", Bucket=bucket_of(url))
    except Exception:  # noqa: BLE001 - region is informative only
        return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
    return out.get("LocationConstraint") or "us-east-1"


# ---------------------------------------------------------------------------------------- checksums
def _checksum(info: dict) -> tuple[str, str] | None:
    """``(hash, hash_type)`` from a listing entry's provider checksum, or None when it has none."""
    etag = info.get("ETag") or info.get("etag")
    if etag:
        etag = str(etag).strip('"')
        if "-" in etag:  # multipart: MD5 over part MD5s, with the part count
            return encode(hashlib.md5(etag.encode()).digest()), MULTIPART_ETAG_HASH_TYPE
        try:
            return encode(bytes.fromhex(etag)), ETAG_HASH_TYPE
        except ValueError:
            return encode(hashlib.md5(etag.encode()).digest()), "etag"
    md5 = info.get("md5Hash")  # gcs: base64 MD5
    if md5:
        import base64

        return encode(base64.b64decode(md5)), "md5"
    lfs = info.get("lfs") or {}
    if not isinstance(lfs, dict):
        lfs = {}
    for field in ("sha256", "checksum", "blob_id", "crc32c"):  # hf: lfs sha256 or git blob id; others
        value = lfs.get(field) or info.get(field)
        if value:
            return encode(hashlib.md5(str(value).encode()).digest()), field
    return None


def _full_read_hash(fs: Any, path: str, size: int | None) -> Hashed:
    from .hashing import hash_stream

    with fs.open(path, "rb") as f:
        return hash_stream(f, size)


def provider_hash(url: str, **overrides: Any) -> Hashed:
    """Hash a remote file or folder from the provider's checksums, without reading the data.

    Falls back to reading (BLAKE3) only for objects the listing gives no checksum for.

    >>> provider_hash("s3://lamindata/iris_studies/study0_raw_images")  # doctest: +SKIP
    Hashed(hash='...', hash_type='etag-folder', size=1061, n_files=5)
    """
    url = str(url).rstrip("/")
    fs = filesystem(url, **overrides)
    path = fs._strip_protocol(url)
    with translated(url, "read"):
        info = fs.info(path)
        if info.get("type") != "directory":
            found = _checksum(info)
            if found is None:
                return _full_read_hash(fs, path, info.get("size"))
            return Hashed(found[0], found[1], int(info.get("size") or 0), None)
        listing = fs.find(path, detail=True)
    pairs, size = [], 0
    for name, entry in sorted(listing.items()):
        if entry.get("type") == "directory" or name.endswith("/"):
            continue
        found = _checksum(entry) or (_full_read_hash(fs, name, entry.get("size")).hash, "blake3")
        pairs.append((name[len(path):].lstrip("/"), found[0]))
        size += int(entry.get("size") or 0)
    if not pairs:
        raise StorageError(f"the folder {url} is empty or does not exist; check the path")
    return Hashed(folder_hash(pairs), ETAG_FOLDER_HASH_TYPE, size, len(pairs))


def remote_fingerprint(info: dict) -> dict:
    """What identifies a remote object's version: size, checksum and modification time."""
    mtime = next((info[k] for k in ("LastModified", "mtime", "updated", "last_modified", "created") if info.get(k)), None)
    return {"size": info.get("size"), "etag": str(info.get("ETag") or info.get("etag") or info.get("md5Hash") or ""),
            "mtime": str(mtime) if mtime is not None else None}


# ---------------------------------------------------------------------------------------- transfers
def _progress_enabled(size: int) -> bool:
    if size < PROGRESS_MIN_BYTES:
        return False
    from .user_settings import settings

    return bool(settings.progress)


def _rich_callback(description: str, total: int):  # noqa: ANN202
    """An fsspec Callback drawing a transient rich progress bar (fsspec and rich imported only here)."""
    from fsspec.callbacks import Callback
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    class RichCallback(Callback):
        def __init__(self) -> None:
            super().__init__(size=total)
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                TransferSpeedColumn(), TimeRemainingColumn(), transient=True)
            self.task = self.bar.add_task(description, total=total)
            self.bar.start()

        def call(self, *args: Any, **kwargs: Any) -> None:
            self.bar.update(self.task, completed=self.value, total=self.size or total)

        def close(self) -> None:
            self.bar.stop()

    return RichCallback()


@contextlib.contextmanager
def progress(description: str, total: int) -> Iterator[Any]:
    """An fsspec callback showing a progress bar for large transfers (``ln.settings.progress = False`` hides it)."""
    if not _progress_enabled(total):
        from fsspec.callbacks import NoOpCallback

        yield NoOpCallback()
        return
    cb = _rich_callback(description, total)
    try:
        yield cb
    finally:
        cb.close()


def upload_file(local: str | os.PathLike, url: str, **overrides: Any) -> None:
    """Upload one local file; large files go in parallel multipart chunks (all-or-nothing on S3)."""
    fs = filesystem(url, **overrides)
    size = os.path.getsize(local)
    kwargs: dict[str, Any] = {}
    if protocol_of(url) in {"s3", "s3a"}:
        kwargs["chunksize"] = MULTIPART_CHUNK if size >= MULTIPART_MIN_BYTES else max(size, MULTIPART_CHUNK)
    with translated(url, "write"), progress(f"uploading {Path(local).name}", size) as cb:
        fs.put_file(os.fspath(local), fs._strip_protocol(url), callback=cb, **kwargs)


def upload_folder(local: str | os.PathLike, url: str, **overrides: Any) -> list[str]:
    """Upload a local folder tree under ``url``; on failure, removes what it uploaded and re-raises."""
    local = Path(local)
    done: list[str] = []
    try:
        for p in sorted(q for q in local.rglob("*") if q.is_file()):
            target = f"{str(url).rstrip('/')}/{p.relative_to(local).as_posix()}"
            upload_file(p, target, **overrides)
            done.append(target)
    except BaseException:
        remove(done, **overrides)
        raise
    return done


def remove(urls: list[str], **overrides: Any) -> None:
    """Delete remote objects, ignoring ones already gone (best effort, used for clean-up)."""
    if not urls:
        return
    fs = filesystem(urls[0], **overrides)
    with contextlib.suppress(Exception):
        fs.rm([fs._strip_protocol(u) for u in urls])


def download_file(url: str, local: str | os.PathLike, size: int | None = None, **overrides: Any) -> None:
    """Download one remote file to ``local`` via a temporary sibling, so ``local`` is never half-written."""
    fs = filesystem(url, **overrides)
    local = Path(local)
    local.parent.mkdir(parents=True, exist_ok=True)
    tmp = local.with_name(f".{local.name}.part-{os.getpid()}")
    try:
        with translated(url, "read"), progress(f"downloading {local.name}", size or 0) as cb:
            fs.get_file(fs._strip_protocol(url), os.fspath(tmp), callback=cb)
        os.replace(tmp, local)
    finally:
        tmp.unlink(missing_ok=True)


def check_writable(root: str, **overrides: Any) -> None:
    """Write and delete a small probe object under ``<root>/.lineagedb/``; StorageError if that fails.

    >>> check_writable("s3://my-bucket/prefix")  # doctest: +SKIP
    """
    from .settings import MARKER_DIR
    from .uids import base62

    fs = filesystem(root, **overrides)
    probe = f"{str(root).rstrip('/')}/{MARKER_DIR}/.write-probe-{base62(8)}"
    with translated(root, "write"):
        fs.pipe_file(fs._strip_protocol(probe), b"")
        fs.rm_file(fs._strip_protocol(probe))


def move(src: str, dst: str, **overrides: Any) -> None:
    """Rename a remote file or folder (server-side copies, then deletes; folders object by object)."""
    fs = filesystem(src, **overrides)
    a, b = fs._strip_protocol(src).rstrip("/"), fs._strip_protocol(dst).rstrip("/")
    with translated(dst, "write"):
        fs.invalidate_cache(a)
        files = [f for f in fs.find(a) if f != a]
        if not files:  # a single object
            fs.mv(a, b)
            return
        fs.copy(files, [b + f[len(a):] for f in files])
        fs.rm(files)
        fs.invalidate_cache(b)
