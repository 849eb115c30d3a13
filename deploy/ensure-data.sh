#!/usr/bin/env bash
# Makes sure the Fashion-MNIST files a spec refers to exist.
#
#   deploy/ensure-data.sh <spec.yaml>
#
# Specs that read /usr/share/datasets/fashion-mnist/ need Debian's dataset-fashion-mnist
# package: installed with apt-get when apt is available (as root, or through sudo). Elsewhere the
# four files are downloaded from the dataset's own publisher into ${DPTRAIN_DATA:-~/.cache/dptrain}
# and verified (SHA-256 of the uncompressed IDX files, the same bytes Debian ships); the script
# then prints the overrides (data.train=..., data.test=...) that point the spec at them, one per
# line, for ./dptrain to append. Prints nothing when nothing needs overriding.
set -euo pipefail
spec="${1:?usage: ensure-data.sh <spec.yaml>}"
DEBIAN_DIR=/usr/share/datasets/fashion-mnist
grep -q "$DEBIAN_DIR" "$spec" 2>/dev/null || exit 0
[[ -f "$DEBIAN_DIR/train-images-idx3-ubyte.gz" ]] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  if [[ "$(id -u)" == 0 || -n "$sudo" ]]; then
    echo "dptrain: installing Debian package dataset-fashion-mnist..." >&2
    if { $sudo apt-get install -y -q dataset-fashion-mnist >&2 \
         || { $sudo apt-get update -q >&2 && $sudo apt-get install -y -q dataset-fashion-mnist >&2; }; } \
       && [[ -f "$DEBIAN_DIR/train-images-idx3-ubyte.gz" ]]; then
      exit 0
    fi
    echo "dptrain: apt-get could not install dataset-fashion-mnist; downloading instead" >&2
  fi
fi

dir="${DPTRAIN_DATA:-$HOME/.cache/dptrain}/fashion-mnist"
mkdir -p "$dir"
base="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
declare -A sha256=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
for name in "${!sha256[@]}"; do
  file="$dir/$name.gz"
  if [[ ! -f "$file" ]]; then
    echo "dptrain: downloading $base/$name.gz" >&2
    curl -fsSL -o "$file.part" "$base/$name.gz"
    mv "$file.part" "$file"
  fi
  actual="$(gunzip -c "$file" | sha256sum | cut -d' ' -f1)"
  if [[ "$actual" != "${sha256[$name]}" ]]; then
    rm -f "$file"
    echo "dptrain: error: $file failed verification (SHA-256 $actual, expected ${sha256[$name]})" >&2
    exit 2
  fi
done
echo "data.train=$dir/train-images-idx3-ubyte.gz"
grep -q "t10k-images" "$spec" && echo "data.test=$dir/t10k-images-idx3-ubyte.gz"
exit 0
