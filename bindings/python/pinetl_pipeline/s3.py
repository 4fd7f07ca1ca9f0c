"""An S3 bucket for the pipeline's Python side: `s3://bucket/prefix` locations, a client from the
standard AWS configuration, exact listings, whole-object reads and create-only writes, and errors
that say what went wrong without printing a secret.

Needs the `s3` extra: boto3, the AWS SDK for Python (AWS's own, maintained with the S3 API; it
reads the standard configuration: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_REGION, AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3, the shared credentials and config files and
their profiles). With a custom endpoint (an S3-compatible server) requests use path-style
addressing. Reading landing *records* is not done here: the C reader reads `s3://` itself.

    from pinetl_pipeline import s3
    s3.is_uri("s3://landing/topics")                 # True
    s3.split("s3://landing/day/x.json")              # ('landing', 'day/x.json')
    s3.list_objects("s3://landing/topics/")          # [Object(uri, key, size, etag), ...]
    s3.put_new("s3://landing/a.json", b"...")        # FileExistsError when a.json exists

Listings are exact: the client sends no `encoding-type=url`. boto3 asks for it by default and
URL-decodes the answer (`+` read as a space); s3s-fs 0.14.1 echoes `EncodingType=url` but returns
the keys unencoded, so a sink object `t+0+0000000000.json` came back as `t 0 0000000000.json`.
Without the parameter every server returns the keys as they are."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

SCHEME = "s3://"


def is_uri(path) -> bool:
    """True for an `s3://` location."""
    return isinstance(path, str) and path.startswith(SCHEME)


def split(uri):
    """(bucket, key) of s3://bucket/key (key may be empty); ValueError without a bucket."""
    if not is_uri(uri):
        raise ValueError(f"not an s3:// location: {uri!r}")
    bucket, _, key = uri[len(SCHEME):].partition("/")
    if not bucket:
        raise ValueError(f"{uri!r} names no bucket (s3://bucket/prefix)")
    return bucket, key


def join(uri, *parts):
    """uri with parts appended, one slash between each."""
    out = uri.rstrip("/")
    for part in parts:
        out += "/" + str(part).strip("/")
    return out


def _boto3():
    try:
        import boto3
        import botocore
    except ImportError as e:  # pragma: no cover - the message says what to install
        raise ImportError("an s3:// location needs boto3: pip install 'pinetl[s3]'") from e
    return boto3, botocore


def endpoint():
    """The custom endpoint of the standard configuration (AWS_ENDPOINT_URL_S3, then
    AWS_ENDPOINT_URL), or None for AWS itself."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


@functools.lru_cache(maxsize=8)
def _client(_key):
    boto3, botocore = _boto3()
    from botocore import handlers
    from botocore.config import Config
    config = Config(retries={"max_attempts": 5, "mode": "standard"},
                    s3={"addressing_style": "path"} if endpoint() else {})
    client = boto3.session.Session().client("s3", config=config)
    # Exact key names (see the module's documentation): no encoding-type=url in listings.
    for op in ("ListObjectsV2", "ListObjects"):
        client.meta.events.unregister(f"before-parameter-build.s3.{op}",
                                      handlers.set_list_objects_encoding_type_url)
    return client


def client():
    """A boto3 S3 client from the standard AWS configuration (one per configuration)."""
    env = tuple(os.environ.get(k) for k in (
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"))
    return _client(env)


_AUTH = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken",
         "ExpiredToken", "403", "Forbidden"}


def error(e, uri, action):
    """The exception to raise for a boto3/botocore error e on uri: FileNotFoundError (no such
    bucket or key), PermissionError (credentials refused or missing), FileExistsError (a
    create-only write found the object), ConnectionError (server unreachable), else OSError.
    The message names the location, the action and the endpoint; never a secret."""
    _, botocore = _boto3()
    where = f" at {endpoint()}" if endpoint() else ""
    if isinstance(e, botocore.exceptions.NoCredentialsError):
        return PermissionError(f"{action} {uri}: no AWS credentials found (set "
                               "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile)")
    if isinstance(e, botocore.exceptions.EndpointConnectionError):
        return ConnectionError(f"{action} {uri}: cannot reach the S3 server{where}: {e}")
    if isinstance(e, botocore.exceptions.ClientError):
        code = str(e.response.get("Error", {}).get("Code", ""))
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        bucket, key = split(uri)
        if code == "NoSuchBucket":
            return FileNotFoundError(f"{action} {uri}: bucket {bucket!r} does not exist{where}")
        if code in ("NoSuchKey", "404", "NotFound"):
            return FileNotFoundError(f"{action} {uri}: no such object{where}")
        if code in _AUTH or status == 403:
            return PermissionError(f"{action} {uri}: the S3 server{where} refused the "
                                   f"credentials ({code or status}); check AWS_ACCESS_KEY_ID / "
                                   "AWS_SECRET_ACCESS_KEY (or the profile) for this endpoint")
        if code == "PreconditionFailed" or status == 412:
            return FileExistsError(f"{action} {uri}: the object exists already")
        return OSError(f"{action} {uri}: S3 error {code or status}{where}: "
                       f"{e.response.get('Error', {}).get('Message', '')}")
    if isinstance(e, botocore.exceptions.BotoCoreError):
        return OSError(f"{action} {uri}: {e}")
    return e


@dataclass(frozen=True)
class Object:
    """An object of a listing: uri (s3://bucket/key), key, size in bytes, etag (quoted)."""
    uri: str
    key: str
    size: int
    etag: str


def list_objects(uri, limit=None):
    """The objects whose keys start with uri's key (a prefix: end it with '/' for a folder), in
    key order (S3's listing order), at most limit of them."""
    _, botocore = _boto3()
    bucket, prefix = split(uri)
    out = []
    kwargs = {"Bucket": bucket, "Prefix": prefix}
    try:
        while True:
            page = client().list_objects_v2(**kwargs)
            for o in page.get("Contents", ()):
                out.append(Object(f"{SCHEME}{bucket}/{o['Key']}", o["Key"], o["Size"],
                                  o.get("ETag", "")))
                if limit is not None and len(out) >= limit:
                    return out
            if not page.get("IsTruncated"):
                return out
            kwargs["ContinuationToken"] = page["NextContinuationToken"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        raise error(e, uri, "listing") from e


def exists_under(uri):
    """True when at least one object's key starts with uri's key + '/'."""
    return bool(list_objects(uri.rstrip("/") + "/", limit=1))


def get(uri):
    """The bytes of the object at uri."""
    _, botocore = _boto3()
    bucket, key = split(uri)
    try:
        return client().get_object(Bucket=bucket, Key=key)["Body"].read()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        raise error(e, uri, "reading") from e


def put_new(uri, data):
    """Writes data as a new object at uri in one request (S3 makes it visible whole or not at
    all). Create-only: a conditional put (If-None-Match: *) refuses to replace an object that
    exists, as FileExistsError."""
    _, botocore = _boto3()
    bucket, key = split(uri)
    try:
        client().put_object(Bucket=bucket, Key=key, Body=data, IfNoneMatch="*")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        raise error(e, uri, "writing") from e
