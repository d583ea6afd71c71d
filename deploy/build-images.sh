#!/usr/bin/env bash
# Builds one container image per Cheshire module into the local Docker engine, with no registry:
#   cheshire/base:bookworm-N      Debian minbase from debootstrap, imported once (cached, rebuilt only when missing)
#   cheshire/runtime:VERSION      + the .NET and ASP.NET Core runtimes of this machine's SDK and the entry point
#   cheshire/MODULE:TAG           + the module's framework-dependent `dotnet publish` (runs as uid 10001)
# Usage: deploy/build-images.sh [MODULE...]   (default: every module in deploy/image/modules.txt)
# Settings: TAG (default: the Version of Directory.Build.props), DOCKER_HOST (default: the engine deploy/engine.sh
# starts, which this script starts and stops again if it was not running), CHESHIRE_CACHE (~/.cache/cheshire).
# Prints each image's size. Nothing is rebuilt when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

base_recipe=1                                   # bump when the base image's recipe below changes
base="cheshire/base:bookworm-$base_recipe"
tag="${TAG:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)}"
cache="${CHESHIRE_CACHE:-$HOME/.cache/cheshire}/deploy"
out="$cache/publish"
mkdir -p "$cache" "$out"

export DOCKER_HOST="${DOCKER_HOST:-unix:///run/cheshire-docker.sock}"
if [ "$(deploy/engine.sh start)" = started ]; then trap 'deploy/engine.sh stop' EXIT; fi

# The classic builder: BuildKit is not part of Debian's engine package. Quiet unless it fails.
docker_build() { # docker_build TAG CONTEXT
  DOCKER_BUILDKIT=0 docker build -t "$1" "$2" >"$2.build.log" 2>&1 || { cat "$2.build.log" >&2; exit 1; }
}
has_image() { docker image inspect "$1" >/dev/null 2>&1; }
say() { printf 'build-images: %s\n' "$*"; }

# The Debian mirror apt already uses (the machine's own sources), unless CHESHIRE_DEBIAN_MIRROR names one.
debian_mirror() {
  if [ -n "${CHESHIRE_DEBIAN_MIRROR:-}" ]; then echo "$CHESHIRE_DEBIAN_MIRROR"; return; fi
  { sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null || true; } |
    grep -v -- '-security' | head -1
}

build_base() {
  local tarball="$cache/base-bookworm-$base_recipe.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || { say "installing debootstrap"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
    local rootfs mirror
    mirror="$(debian_mirror)"
    [ -n "$mirror" ] || { echo "build-images: no Debian mirror in apt's sources; set CHESHIRE_DEBIAN_MIRROR" >&2; exit 1; }
    rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
    say "debootstrap bookworm (minbase) into $rootfs"
    # libssl3: TLS of node-to-node links (SslStream); libicu is left out (the modules run with invariant globalization).
    debootstrap --variant=minbase --include=libssl3 bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    chroot "$rootfs" groupadd --gid 10001 cheshire
    chroot "$rootfs" useradd --uid 10001 --gid 10001 --home-dir /var/lib/cheshire --no-create-home --shell /usr/sbin/nologin cheshire
    install -d -o 10001 -g 10001 -m 0700 "$rootfs/var/lib/cheshire"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log
    tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  say "importing $base"
  docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' "$tarball" "$base" >/dev/null
}

# The runtimes of the SDK that builds the modules, so images and builds always agree on the version.
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
runtime_version="$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)"
# The tag names what the layer holds: the runtime version and the entry point (a changed script is a new image).
runtime="cheshire/runtime:$runtime_version-$(cat deploy/image/entrypoint.sh | sha256sum | cut -c1-12)"

build_runtime() {
  local ctx
  ctx="$(mktemp -d "$cache/runtime.XXXXXX")"
  mkdir -p "$ctx/dotnet/shared" "$ctx/dotnet/host/fxr"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$ctx/dotnet/"
  cp -a "$dotnet_root/host/fxr/$(ls "$dotnet_root/host/fxr" | sort -V | tail -1)" "$ctx/dotnet/host/fxr/"
  for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$ctx/dotnet/shared/$fw"
    cp -a "$dotnet_root/shared/$fw/$(ls "$dotnet_root/shared/$fw" | sort -V | tail -1)" "$ctx/dotnet/shared/$fw/"
  done
  install -m 0755 deploy/image/entrypoint.sh "$ctx/entrypoint.sh"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY --chown=0:0 dotnet /usr/share/dotnet
COPY --chown=0:0 entrypoint.sh /usr/local/bin/cheshire-entrypoint
ENV DOTNET_ROOT=/usr/share/dotnet \\
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true \\
    DOTNET_NOLOGO=true \\
    HOME=/var/lib/cheshire \\
    Cheshire__DataDir=/var/lib/cheshire
USER 10001:10001
WORKDIR /app
DOCKERFILE
  say "building $runtime"
  docker_build "$runtime" "$ctx"
  rm -rf "$ctx" "$ctx.build.log"
}

build_module() { # build_module NAME FOLDER ASSEMBLY
  local name="$1" folder="$2" assembly="$3" ctx="$out/$1"
  say "publishing $name"
  rm -rf "$ctx/app"
  dotnet publish "$folder" -c Release -r linux-x64 --self-contained false -p:UseAppHost=false \
    -p:DebugType=none -p:GenerateDocumentationFile=false -o "$ctx/app" -nologo -v quiet -clp:ErrorsOnly >"$ctx.log" 2>&1 ||
    { cat "$ctx.log" >&2; exit 1; }
  # Fixed timestamps: an unchanged publish gives the same layer and the same image id.
  find "$ctx/app" -exec touch -h -d @0 {} +
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $runtime
COPY --chown=0:0 app /app
LABEL org.opencontainers.image.title="cheshire-$name" org.opencontainers.image.version="$tag"
ENTRYPOINT ["/usr/local/bin/cheshire-entrypoint", "/app/$assembly.dll"]
DOCKERFILE
  local old
  old="$(docker image inspect -f '{{.Id}}' "cheshire/$name:$tag" 2>/dev/null || true)"
  docker_build "cheshire/$name:$tag" "$ctx"
  # The image this tag named before, if it changed and nothing uses it (no dangling images pile up).
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "cheshire/$name:$tag")" ]; then
    docker image rm "$old" >/dev/null 2>&1 || true
  fi
}

has_image "$base" || build_base
if ! has_image "$runtime"; then
  build_runtime
  # Runtime layers of an older SDK or entry point: the module images are rebuilt on the new one below.
  docker images cheshire/runtime --format '{{.Repository}}:{{.Tag}}' | grep -vx "$runtime" | xargs -r docker image rm >/dev/null 2>&1 || true
fi

wanted=("$@")
while read -r name folder assembly; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then continue; fi
  build_module "$name" "$folder" "$assembly"
  built+=("cheshire/$name:$tag")
done <deploy/image/modules.txt

runtime_size="$(docker image inspect -f '{{.Size}}' "$runtime")"
printf '%-40s %6s %11s\n' image size "own layers"
for image in "$base" "$runtime" "${built[@]}"; do
  size="$(docker image inspect -f '{{.Size}}' "$image")"
  own=$((size - runtime_size)); [[ "$image" == cheshire/base:* || "$image" == cheshire/runtime:* ]] && own=-
  printf '%-40s %5sM %11s\n' "$image" "$((size / 1048576))" "$([ "$own" = - ] && echo - || echo "$((own / 1048576))M")"
done
