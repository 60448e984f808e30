#!/usr/bin/env bash
# Vendor third-party front-end files from npm into static/vendor/<package>-<version>/.
#
# Nothing is fetched from another host at run time (product §3): the files this script copies
# are committed. Each package gets its LICENSE and its package.json (name, version, licence).
# Run it again after changing a version below; it replaces that package's folder.
#
#   jsqr                QR decoder for the offline verifier when the browser has no BarcodeDetector
#   @noble/ed25519      Ed25519 signature check when WebCrypto has no Ed25519
#   @noble/hashes       SHA-512 for @noble/ed25519 where crypto.subtle is unavailable (plain http)
#   dejavu-fonts-ttf    DejaVu Sans for the certificate PDF: every Latin name's letters, and the
#                       same bytes on every host. Cut down to the Latin scripts with fontTools
#                       (already installed for fpdf2): 58 KB instead of 740 KB a face, and the
#                       PDF is built four times faster. The licence (LICENSE, Bitstream Vera
#                       terms) allows modified fonts under names without "Bitstream" or "Vera".
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
DEST="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# package@version  folder  files-to-copy (relative to the package root)
vendor() {
  local spec="$1" folder="$2"; shift 2
  (cd "$WORK" && npm pack --silent "$spec" >/dev/null)
  local tarball
  tarball="$(ls -t "$WORK"/*.tgz | head -n 1)"
  rm -rf "$WORK/package" && tar xzf "$tarball" -C "$WORK" && rm -f "$tarball"
  rm -rf "${DEST:?}/$folder" && mkdir -p "$DEST/$folder"
  for file in LICENSE package.json "$@"; do
    mkdir -p "$DEST/$folder/$(dirname "$file")"
    cp "$WORK/package/$file" "$DEST/$folder/$file"
  done
  echo "vendored $spec -> static/vendor/$folder"
}

vendor jsqr@1.4.0 jsqr-1.4.0 dist/jsQR.js
vendor @noble/ed25519@3.2.0 noble-ed25519-3.2.0 index.js
vendor @noble/hashes@2.0.1 noble-hashes-2.0.1 sha2.js _md.js _u64.js utils.js
vendor dejavu-fonts-ttf@2.37.3 dejavu-fonts-ttf-2.37.3 ttf/DejaVuSans.ttf ttf/DejaVuSans-Bold.ttf

# Latin subsets of the two faces the certificate uses; the full files are not kept.
# Basic Latin, Latin-1, Latin Extended-A/B, combining marks, Latin Extended Additional
# (Vietnamese), general punctuation, the euro sign.
FONTS="$DEST/dejavu-fonts-ttf-2.37.3/ttf"
for face in DejaVuSans DejaVuSans-Bold; do
  "$PYTHON" -m fontTools.subset "$FONTS/$face.ttf" --output-file="$FONTS/$face-Latin.ttf" \
    --unicodes="U+0020-007E,U+00A0-024F,U+0300-036F,U+1E00-1EFF,U+2000-206F,U+20AC" \
    --layout-features='' --no-hinting --notdef-outline --recommended-glyphs --name-IDs='*' \
    --drop-tables+=FFTM,GDEF,GPOS,GSUB,MATH,hdmx,kern
  rm "$FONTS/$face.ttf"
done
echo "subset DejaVu Sans to Latin -> static/vendor/dejavu-fonts-ttf-2.37.3/ttf/*-Latin.ttf"
