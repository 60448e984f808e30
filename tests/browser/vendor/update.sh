#!/usr/bin/env bash
# Vendor axe-core (accessibility checks, tests only) from the npm registry.
# Usage: tests/browser/vendor/update.sh [version]   — run from anywhere; commit the result.
set -euo pipefail
version="${1:-4.14.1}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf axe-core-*.tgz)
rm -rf "$here"/axe-core-*
mkdir -p "$here/axe-core-$version"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$here/axe-core-$version/"
echo "axe-core $version (MPL-2.0) from npm" > "$here/axe-core-$version/SOURCE"
echo "vendored axe-core $version into $here/axe-core-$version"
