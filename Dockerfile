# syntax=docker/dockerfile:1
#
# The host and its plugins, built from source, in a static image that runs
# as a non-root user on a read-only root filesystem. Build and run:
#
#   docker build -t wasmcp:dev .
#   docker run --rm --read-only --tmpfs /var/cache/wasmcp:uid=65532,gid=65532 \
#     -p 8080:8080 -e OAUTH_BACKEND_URL=https://auth.example.com wasmcp:dev
#
# The only writable place the host needs is its cache (--cache-dir): the
# compilation cache, and plugins pulled from a registry. deploy/ mounts an
# emptyDir there. Plugins come from /opt/wasmcp/plugins, baked in below, or
# from a registry (plugins.<name>.source in the config; see "host pull").

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# A static binary (no cgo: wazero and the host are pure Go), and every
# plugins/*/main.go built for wasip1 by the Makefile's own rule.
RUN CGO_ENABLED=0 make build VERSION="${VERSION}" \
 && mkdir -p /out/cache \
 && cp bin/host /out/host \
 && cp -r dist/plugins /out/plugins \
 && echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /out/passwd \
 && echo 'nonroot:x:65532:' > /out/group

# From scratch: the binary, the plugins, CA certificates (the backend and
# registries are https) and a passwd entry for the non-root user; no shell,
# no package manager, nothing else to patch.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build /out/host /usr/local/bin/host
COPY --from=build /out/plugins /opt/wasmcp/plugins
# The cache folder, owned by nonroot, for a run without a volume there.
COPY --from=build --chown=65532:65532 /out/cache /var/cache/wasmcp
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/host"]
CMD ["serve", "--http", "0.0.0.0:8080", "--plugins", "/opt/wasmcp/plugins", "--cache-dir", "/var/cache/wasmcp", "--log-format", "json"]
