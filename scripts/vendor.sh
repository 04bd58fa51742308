#!/usr/bin/env bash
# Rebuilds app/static/vendor/ from the npm registry at pinned versions, so that the console never
# loads a script, style or image from a CDN. npm runs in a scratch directory, never in the repo.
# Usage: bash scripts/vendor.sh   (needs node and npm; writes only app/static/vendor/)
set -euo pipefail
cd "$(dirname "$0")/.."

LEAFLET=1.9.4
GEOMAN=2.20.2

out=app/static/vendor
build=$(mktemp -d /tmp/vendor-build.XXXXXX)
trap 'rm -rf "$build"' EXIT

(cd "$build" && npm init -y >/dev/null \
  && npm install --silent --no-audit --no-fund --ignore-scripts \
       "leaflet@$LEAFLET" "@geoman-io/leaflet-geoman-free@$GEOMAN")
nm=$build/node_modules

rm -rf "$out/leaflet" "$out/leaflet-geoman"
mkdir -p "$out/leaflet/images" "$out/leaflet-geoman"

cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$out/leaflet/"
cp "$nm/leaflet/dist/images/"*.png "$out/leaflet/images/"

g=$nm/@geoman-io/leaflet-geoman-free
cp "$g/dist/leaflet-geoman.min.js" "$g/dist/leaflet-geoman.css" "$g/LICENSE" "$out/leaflet-geoman/"

# leaflet-geoman.min.js bundles its dependencies (turf, lodash, polyclip-ts, rbush…): their
# notices travel with it.
notices=$out/leaflet-geoman/THIRD_PARTY_LICENSES.txt
: > "$notices"
for pkg in $(cd "$nm" && ls -d */ @*/*/ | sed 's#/$##' | grep -v -E '^(leaflet|@geoman-io/.*|@types/.*|[^/]*@[^/]*)$' | sort); do
  [ -f "$nm/$pkg/package.json" ] || continue
  licence_file=$(ls "$nm/$pkg" | grep -i -E '^(licen[cs]e|copying)' | head -1 || true)
  version=$(node -p "require('$nm/$pkg/package.json').version")
  licence=$(node -p "require('$nm/$pkg/package.json').license || ''")
  {
    printf '==== %s %s (%s) ====\n\n' "$pkg" "$version" "$licence"
    if [ -n "$licence_file" ]; then cat "$nm/$pkg/$licence_file"; else echo "(no licence file shipped)"; fi
    printf '\n\n'
  } >> "$notices"
done

echo "vendored leaflet $LEAFLET and @geoman-io/leaflet-geoman-free $GEOMAN into $out"
