# Shared by scripts/serve, scripts/test and scripts/bench: installs what a
# fresh machine lacks, idempotently, and is quick when all is there.
# Source it from the project root: `. scripts/lib.sh; ensure_tools`.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

TRUNK_VERSION=0.21.14
CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

say() { printf '\n== %s\n' "$*"; }

# The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_debian_packages() {
  local missing=()
  [ -x "$CHROMIUM" ] || missing+=(chromium)
  [ -x "$CHROMEDRIVER" ] || missing+=(chromium-driver)
  command -v node >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}"
  fi
}

ensure_rust() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  # The native tests check the code's layout with rustfmt.
  if ! cargo fmt --version >/dev/null 2>&1; then
    say "Adding rustfmt"
    rustup component add rustfmt
  fi
  # Trunk builds offline: fetch the crates first.
  cargo fetch --locked -q
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    say "Installing trunk $TRUNK_VERSION (takes a while once)"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "Installing wasm-bindgen-cli $want (takes a while once)"
    # Not --locked: its lockfile pins a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$want"
  fi
  if ! grep -q "wasm_bindgen = \"$want\"" Trunk.toml; then
    echo "Trunk.toml pins a wasm-bindgen other than Cargo.lock's $want: update [tools] wasm_bindgen." >&2
    exit 1
  fi
}

ensure_npm() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  if [ "$(wasm-opt --version 2>/dev/null | grep -o 'version_[0-9]*')" != "version_132" ]; then
    echo "wasm-opt from npm's binaryen 132 is missing (node_modules/.bin)." >&2
    exit 1
  fi
}

ensure_tools() {
  ensure_debian_packages
  ensure_rust
  ensure_npm
  ensure_wasm_bindgen
  ensure_trunk
}

build_release() {
  say "Building the app (release)"
  trunk build --release
}
