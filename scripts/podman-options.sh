# Sourced by the scripts that build and run Modelyard's image: podman's global options that work
# in this project's machines (a sandbox without systemd, where crun and overlay mounts fail).
# shellcheck disable=SC2034
CONTAINER_PODMAN=(--storage-driver=vfs --cgroup-manager=cgroupfs --runtime=runc --events-backend=file)
# `podman run` limits: runc cannot take the defaults here, so they are given (under the hard limits).
CONTAINER_RUN_LIMITS=(--ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
