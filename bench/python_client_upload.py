"""One upload through the Python client, as the bench measures it (bench/python-client.ts):
prints the seconds the upload took, how much the process's memory grew and its CPU seconds, as JSON.

    python bench/python_client_upload.py URL TOKEN PROJECT FILE PACKAGE_VERSION
"""

import json
import os
import resource
import sys
import time

from modelyard import Client


def resident_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


url, token, project, path, version = sys.argv[1:6]
client = Client(url, token, progress=False)
# The bench measures the path large files take: the resumable multipart upload.
assert os.path.getsize(path) >= client.multipart_threshold, "the file is below the multipart threshold"
packages = client.project(project).packages
client.whoami()  # connections, the version check and imports happen before the measure
before = resident_kib()
cpu_before = time.process_time()
started = time.perf_counter()
packages.upload("bench-upload", version, path, file_name="payload.bin")
seconds = time.perf_counter() - started
cpu_seconds = time.process_time() - cpu_before
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "memory_growth_bytes": max(0, peak - before) * 1024, "cpu_seconds": cpu_seconds}))
