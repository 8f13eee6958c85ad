#!/usr/bin/env bash
# The generic packages API driven only by curl, with the commands of docs/packages.md copied
# as a user would copy them (each command is also checked to appear, verbatim, in the doc).
set -euo pipefail
cd "$(dirname "$0")/../.."
DOC=docs/packages.md
WORK=$(mktemp -d)
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

PORT=$((20000 + RANDOM % 20000))
export MODELYARD_URL="http://127.0.0.1:$PORT"
export TOKEN="curl-recipes-admin-token-0123456789"
export PROJECT=default
MODELYARD_PORT=$PORT MODELYARD_DATA_DIR="$WORK/data" MODELYARD_INITIAL_ADMIN_TOKEN="$TOKEN" MODELYARD_LOG_LEVEL=warn \
  node bin/modelyard.mjs serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do curl -fs "$MODELYARD_URL/-/health" >/dev/null 2>&1 && break; sleep 0.2; done

fail() { echo "FAIL: $*" >&2; exit 1; }
in_doc() { grep -qF -- "$1" "$DOC" || fail "this command is not in $DOC: $1"; }
# Runs a command line taken from the doc, after checking that the doc has it.
recipe() { in_doc "$1"; (cd "$WORK" && eval "$1"); }

cd "$WORK" && head -c 3000000 /dev/urandom > model.onnx && echo '{"auc": 0.91}' > metrics.json && echo 'scratch' > notes.txt && cd - >/dev/null

out=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" --upload-file model.onnx "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/model.onnx"')
[ "$out" = '{"message":"201 Created"}' ] || fail "upload answered $out"

out=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" --upload-file metrics.json "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/metrics.json?select=package_file"')
expected_sha=$(sha256sum "$WORK/metrics.json" | cut -d' ' -f1)
echo "$out" | grep -q "\"file_sha256\":\"$expected_sha\"" || fail "select=package_file answered $out"
echo "$out" | grep -q '"file_name":"metrics.json"' || fail "no file name in $out"

recipe 'curl --fail-with-body --header "Authorization: Bearer $TOKEN" --upload-file notes.txt "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/scratch/0.0.1/notes.txt?status=hidden"' >/dev/null

# An empty file is a file: `curl --upload-file` of one sends neither a body nor a Content-Type.
: > "$WORK/empty.txt"
out=$(curl --fail-with-body -sS --header "PRIVATE-TOKEN: $TOKEN" --upload-file "$WORK/empty.txt" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/scratch/0.0.1/empty.txt?select=package_file") || fail "an empty file upload answered $out"
echo "$out" | grep -q '"size":0,"file_sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"' || fail "an empty file was stored as $out"
size=$(curl --fail-with-body -sS --header "PRIVATE-TOKEN: $TOKEN" --output "$WORK/empty.down" --write-out '%{size_download}' "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/scratch/0.0.1/empty.txt")
[ "$size" = 0 ] && [ -f "$WORK/empty.down" ] && [ ! -s "$WORK/empty.down" ] || fail "the empty file came back as $size bytes"

recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" --output downloaded.onnx "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/model.onnx"'
cmp "$WORK/model.onnx" "$WORK/downloaded.onnx" || fail "the downloaded file differs"

range=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" --range 0-9 "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/model.onnx"' | wc -c)
[ "$range" -eq 10 ] || fail "a 10-byte range gave $range bytes"

headers=$(curl -sS -D - -o /dev/null --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/model.onnx")
echo "$headers" | grep -qi "^etag: \"$(sha256sum "$WORK/model.onnx" | cut -d' ' -f1)\"" || fail "no SHA-256 ETag: $headers"
echo "$headers" | grep -qi '^content-disposition: attachment' || fail "an .onnx file must be an attachment: $headers"
echo "$headers" | grep -qi '^x-content-type-options: nosniff' || fail "no nosniff: $headers"
echo "$headers" | grep -qi '^content-length: 3000000' || fail "wrong length: $headers"

listing=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages?package_type=generic&per_page=100"')
echo "$listing" | grep -q '"name":"fraud-model"' || fail "the list lacks fraud-model: $listing"
export PACKAGE_ID=$(echo "$listing" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["name"]=="fraud-model"][0])')

files=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/$PACKAGE_ID/package_files"')
[ "$(echo "$files" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] || fail "expected 2 files: $files"
export FILE_ID=$(echo "$files" | python3 -c 'import json,sys; print([f["id"] for f in json.load(sys.stdin) if f["file_name"]=="metrics.json"][0])')

recipe 'curl --fail-with-body --request DELETE --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/$PACKAGE_ID/package_files/$FILE_ID"'
status=$(curl -s -o /dev/null -w '%{http_code}' --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/metrics.json")
[ "$status" = 404 ] || fail "a deleted file answered $status"

usage=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/storage"')
echo "$usage" | python3 -c 'import json,sys; u=json.load(sys.stdin); assert u["packages"]["bytes"] == 3000000 + 8, u' || fail "usage: $usage"

recipe 'curl --fail-with-body --request DELETE --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/$PACKAGE_ID"'
status=$(curl -s -o /dev/null -w '%{http_code}' --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/model.onnx")
[ "$status" = 404 ] || fail "a deleted package answered $status"

# A file in parts (after the deletions above, which count the files): create, send, list,
# complete; and an abandoned upload aborted.
head -c 6000000 /dev/urandom > "$WORK/big.bin"
created=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" --header "Content-Type: application/json" --data "{\"size\": $(stat -c %s big.bin), \"sha256\": \"$(sha256sum big.bin | cut -d'"' '"' -f1)\", \"part_size\": 5242880}" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/fraud-model/1.0.0/big.bin/uploads"')
export UPLOAD_ID=$(echo "$created" | python3 -c 'import json,sys; u=json.load(sys.stdin); assert u["part_count"] == 2, u; print(u["id"])')
recipe 'split --bytes=5242880 --numeric-suffixes=1 --suffix-length=1 big.bin big.bin.part'
recipe 'for N in 1 2; do curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" --header "X-Content-SHA256: $(sha256sum big.bin.part$N | cut -d'"' '"' -f1)" --upload-file big.bin.part$N "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/uploads/$UPLOAD_ID/parts/$N"; done' >/dev/null
parts=$(recipe 'curl --fail-with-body --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/uploads/$UPLOAD_ID"')
echo "$parts" | python3 -c 'import json,sys; assert [p["part_number"] for p in json.load(sys.stdin)["parts"]] == [1, 2]' || fail "parts: $parts"
out=$(recipe 'curl --fail-with-body --request POST --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/uploads/$UPLOAD_ID/complete"')
echo "$out" | grep -q "\"file_sha256\":\"$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)\"" || fail "complete answered $out"
export ABANDONED_ID=$(curl --fail-with-body -sS --header "PRIVATE-TOKEN: $TOKEN" --json '{"size": 6000000}' "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/scratch/0.0.1/abandoned.bin/uploads" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
recipe 'curl --fail-with-body --request DELETE --header "PRIVATE-TOKEN: $TOKEN" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/uploads/$ABANDONED_ID"'

status=$(curl -s -o /dev/null -w '%{http_code}' --upload-file "$WORK/notes.txt" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/x/1.0.0/notes.txt")
[ "$status" = 404 ] || fail "an anonymous upload to a private project answered $status"
status=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is --header "PRIVATE-TOKEN: $TOKEN" --upload-file "$WORK/notes.txt" "$MODELYARD_URL/api/v4/projects/$PROJECT/packages/generic/x/1.0.0/../../../../etc/passwd")
[ "$status" -ge 400 ] && [ "$status" -lt 500 ] || fail "a traversal answered $status"

echo "packages curl recipes: all passed"
