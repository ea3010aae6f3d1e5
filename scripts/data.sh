#!/usr/bin/env bash
# Finds the datasets, verifies them against known SHA-256 sums (of the uncompressed IDX bytes) and links them
# into data/<dataset>/. Search order: $GFE_DATA_DIR/<dataset>, ../shared/datasets/<dataset>, then (FashionMNIST)
# Debian's /usr/share/datasets/fashion-mnist. Missing data is downloaded from the public locations with checksum
# verification; when that is impossible the script says exactly what to install or where to put which files.
# Usage: scripts/data.sh [mnist] [fashion_mnist]   (default: both; exit 1 if any requested dataset is missing)
set -u
cd "$(dirname "$0")/.."
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

sums_mnist=(
  ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2)
sums_fashion_mnist=(
  c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34)
urls_mnist=(https://ossci-datasets.s3.amazonaws.com/mnist http://yann.lecun.com/exdb/mnist)
urls_fashion_mnist=(http://fashion-mnist.s3-website.eu-central-1.amazonaws.com)

# SHA-256 of a file's uncompressed bytes (.gz or plain).
content_sha() { if [[ $1 == *.gz ]]; then gzip -dc "$1" | sha256sum; else sha256sum < "$1"; fi | cut -d' ' -f1; }

# Echo the path of FILE (plain or .gz) in DIR whose content has SUM; nothing when absent or wrong.
find_verified() {
  local dir=$1 name=$2 sum=$3 p
  for p in "$dir/$name.gz" "$dir/$name"; do
    [[ -f $p ]] || continue
    if [[ $(content_sha "$p") == "$sum" ]]; then echo "$p"; return 0; fi
    echo "data: $p has the wrong SHA-256 (corrupt or a different file); ignoring it" >&2
  done
  return 1
}

candidates() {
  local ds=$1
  [[ -n ${GFE_DATA_DIR:-} ]] && echo "$GFE_DATA_DIR/$ds"
  echo "../shared/datasets/$ds"
  [[ $ds == fashion_mnist ]] && { echo "../shared/datasets/fashion-mnist"; echo "/usr/share/datasets/fashion-mnist"; }
  echo "data/$ds"   # earlier downloads
}

link_dataset() {
  local ds=$1 sums_var="sums_$1[@]" urls_var="urls_$1[@]"
  local -a sums=("${!sums_var}") urls=("${!urls_var}")
  mkdir -p "data/$ds"
  local i missing=()
  for i in "${!files[@]}"; do
    local name=${files[$i]} sum=${sums[$i]} found="" dir
    # Already linked and still valid: nothing to do.
    for dir in $(candidates "$ds"); do
      found=$(find_verified "$dir" "$name" "$sum") && break
    done
    if [[ -n $found ]]; then
      local target; target=$(realpath "$found")
      local link="data/$ds/$(basename "$found")"
      if [[ $(realpath "$link" 2>/dev/null) != "$target" ]]; then
        rm -f "data/$ds/$name" "data/$ds/$name.gz"
        ln -s "$target" "$link"
      fi
      continue
    fi
    missing+=("$i")
  done
  for i in "${missing[@]}"; do
    local name=${files[$i]} sum=${sums[$i]} ok="" url
    for url in "${urls[@]}"; do
      echo "data: $ds/$name not found locally; downloading $url/$name.gz"
      if curl -fsSL --connect-timeout 10 --max-time 300 -o "data/$ds/$name.gz.part" "$url/$name.gz" 2>/dev/null \
         && [[ $(content_sha "data/$ds/$name.gz.part") == "$sum" ]]; then
        mv "data/$ds/$name.gz.part" "data/$ds/$name.gz"; ok=1; break
      fi
      rm -f "data/$ds/$name.gz.part"
    done
    if [[ -z $ok ]]; then
      echo "data: ERROR: $ds file $name(.gz) is missing and could not be downloaded (no network, or a checksum mismatch)." >&2
      echo "data:   looked in: $(candidates "$ds" | tr '\n' ' ')" >&2
      if [[ $ds == fashion_mnist ]]; then
        echo "data:   fix: apt-get install dataset-fashion-mnist   (or put the 4 IDX files, .gz or plain, in \$GFE_DATA_DIR/fashion_mnist/)" >&2
      else
        echo "data:   fix: put the 4 original MNIST IDX files (.gz or plain) in \$GFE_DATA_DIR/mnist/ or ../shared/datasets/mnist/" >&2
      fi
      return 1
    fi
  done
  echo "data: $ds OK (4 files verified, linked in data/$ds/)"
}

status=0
for ds in "${@:-mnist fashion_mnist}"; do
  for d in $ds; do
    case $d in
      mnist|fashion_mnist) link_dataset "$d" || status=1 ;;
      *) echo "data: unknown dataset '$d' (known: mnist fashion_mnist; segmented_mnist uses the mnist files)" >&2; status=2 ;;
    esac
  done
done
exit $status
