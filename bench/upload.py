"""Benchmark: DSL artifacts (RM.2.3) of 64 MiB to 1 GiB streamed through gunicorn to the
API, as a client would send them. Prints, per size: seconds, MiB/s, the peak memory of the
gunicorn worker, and whether the SHA-256 stored matches the one the client computed while
sending. The budget (DESIGN section 8): 1 GiB streams to storage with its SHA-256 computed
in one pass, in memory that does not grow with the file.

Run through ``bash bench/run.sh upload [--sizes 64,256,1024]``, which starts throwaway
PostgreSQL and migrates first. Loads the demo data, stores in a demo release that is
being received. Everything is thrown away on exit.

``--object-store`` sends the files to an S3-speaking server on loopback (moto's server,
started here) through django-storages instead of the local folder: the production
shape of several web nodes sharing one library."""

import argparse
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
BOUNDARY = "releasemgmt-bench-boundary"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def multipart_parts(name: str, version: str, filename: str) -> tuple[bytes, bytes]:
    head = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'
        for field, value in (("name", name), ("version", version))
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/java-archive\r\n\r\n"
    )
    return head.encode(), f"\r\n--{BOUNDARY}--\r\n".encode()


def stream_upload(port: int, path: str, token: str, size: int, version: str) -> tuple:
    """POST ``size`` bytes as a multipart upload, 1 MiB at a time; returns (status, body,
    seconds, sha256 of what was sent)."""
    head, tail = multipart_parts("bench-artifact", version, f"bench-{version}.jar")
    block = bytearray(os.urandom(MIB))
    digest = hashlib.sha256()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.putrequest("POST", path)
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()
    connection.send(head)
    for index in range(size // MIB):
        block[:8] = index.to_bytes(8, "big")  # no two blocks alike
        digest.update(block)
        connection.send(block)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, body, seconds, digest.hexdigest()


def start_object_store():
    """moto's S3 server on a free loopback port with an empty bucket, and the settings
    that point the DSL's storage at it (inherited by gunicorn)."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        S3_BUCKET="bench-dsl",
        S3_ENDPOINT_URL=endpoint,
        S3_ACCESS_KEY_ID="bench",
        S3_SECRET_ACCESS_KEY="bench",
        S3_REGION="us-east-1",
    )
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        region_name="us-east-1",
    ).create_bucket(Bucket="bench-dsl")
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="64,256,1024", help="artifact sizes in MiB")
    parser.add_argument(
        "--object-store", action="store_true", help="store in an S3 server on loopback"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    scratch = Path(tempfile.mkdtemp(prefix="releasemgmt-bench-upload-"))
    media = scratch / "media"
    (media / "incoming").mkdir(parents=True)
    # The settings a deployment would use: not DEBUG, uploads staged on the media volume.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="releasemgmt.settings.local",
        DEBUG="false",
        MEDIA_ROOT=str(media),
        FILE_UPLOAD_TEMP_DIR=str(media / "incoming"),
        EMAIL_URL=f"filemail://{scratch / 'mail'}",
    )
    os.environ.pop("REDIS_URL", None)  # tasks run eagerly: nothing here needs a broker
    store = start_object_store() if args.object_store else None
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from knox.models import AuthToken

    from dsl.models import Component
    from releases.models import Release, Stage

    if not Release.objects.exists():
        call_command("load_demo")
    release = Release.objects.filter(stage=Stage.RECEIVING).first()
    manager = get_user_model().objects.get(username="release-manager")
    _, token = AuthToken.objects.create(manager)
    path = f"/api/v1/releases/{release.identifier}/actions/store-component/"

    port = free_port()
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "releasemgmt.wsgi", "-w", "1", "--timeout", "900"]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        worker = worker_pid(gunicorn.pid)
        where = "an S3 server on loopback" if store else "the local folder"
        print(f"DSL artifact upload through gunicorn (1 sync worker) to {path}, into {where}")
        print(f"{'size':>8} {'seconds':>8} {'MiB/s':>7} {'worker RSS':>11} {'peak':>7}  sha256")
        rss, peak = peak_rss_mib(worker)
        print(f"{'(idle)':>8} {'':>8} {'':>7} {rss:>8.0f} MiB {peak:>4.0f} MiB")
        for number, size_mib in enumerate(sizes, start=1):
            version = f"1.0.{number}"
            status, body, seconds, sent_digest = stream_upload(
                port, path, token, size_mib * MIB, version
            )
            if status != 201:
                raise SystemExit(f"upload of {size_mib} MiB answered {status}: {body[:300]!r}")
            component = Component.objects.get(
                release=release, name="bench-artifact", version=version
            )
            matches = component.sha256 == sent_digest and component.file.size == size_mib * MIB
            rss, peak = peak_rss_mib(worker)
            verdict = "matches" if matches else "DIFFERS"
            print(
                f"{size_mib:>4} MiB {seconds:>8.1f} {size_mib / seconds:>7.0f} "
                f"{rss:>8.0f} MiB {peak:>4.0f} MiB  {verdict}"
            )
            component.file.delete(save=False)  # keep the space free for the next size
        leftovers = list((media / "incoming").iterdir())
        print(f"temporary files left in FILE_UPLOAD_TEMP_DIR: {len(leftovers)}")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        if store is not None:
            store.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
