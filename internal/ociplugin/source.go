// Package ociplugin fetches plugins from OCI registries: it resolves a
// plugin's source (oci://registry/repository:tag or @sha256:digest) to a
// manifest digest, pulls the one Wasm layer of that manifest into a
// content-addressed store, optionally verifies a cosign signature of the
// manifest against the operator's public key, and hands the host a .wasm
// file to load like any file of the plugin folder.
//
// Every byte read from a registry is bounded (manifests, signatures,
// layers) and checked against its digest, both when it arrives and when it
// is read back from the store, so a store that works offline cannot serve
// bytes other than those pinned. The package imports nothing of the host:
// cmd/host drives it, and package host validates the config's sources with
// ParseSource.
package ociplugin

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Scheme is the prefix of a plugin source in the config.
const Scheme = "oci://"

// Source is a parsed plugins.<name>.source: a repository and a tag, a
// digest, or both (then the digest is what is pulled and the tag is only
// a label).
type Source struct {
	raw    string
	repo   name.Repository
	tag    string // "" without one
	digest string // "sha256:<hex>", "" without one
}

// ParseSource parses oci://registry/repository:tag,
// oci://registry/repository@sha256:<hex> or
// oci://registry/repository:tag@sha256:<hex>. The registry must be named
// (no implicit Docker Hub) and a tag or a digest given (no implicit
// "latest"), so that what is pulled is what the config says.
func ParseSource(s string) (Source, error) {
	quoted := safetext.Bounded(s, 160)
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		return Source{}, fmt.Errorf("want oci://registry/repository:tag or oci://registry/repository@sha256:<digest>, got %q", quoted)
	}
	if rest == "" || strings.ContainsAny(rest, " \t\r\n") {
		return Source{}, fmt.Errorf("%q is not a registry reference", quoted)
	}
	src := Source{raw: s}
	base := rest
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		d, err := name.NewDigest(rest, name.StrictValidation)
		if err != nil {
			return Source{}, parseError(quoted, err)
		}
		if !strings.HasPrefix(d.DigestStr(), "sha256:") || len(d.DigestStr()) != len("sha256:")+64 {
			return Source{}, fmt.Errorf("%q: only sha256 digests are supported", quoted)
		}
		src.digest = d.DigestStr()
		base = rest[:at]
	}
	if strings.LastIndexByte(base, ':') > strings.LastIndexByte(base, '/') {
		t, err := name.NewTag(base, name.StrictValidation)
		if err != nil {
			return Source{}, parseError(quoted, err)
		}
		src.repo, src.tag = t.Repository, t.TagStr()
	} else {
		if src.digest == "" {
			return Source{}, fmt.Errorf("%q names no tag and no digest: add :tag or @sha256:<digest> (no implicit \"latest\")", quoted)
		}
		r, err := name.NewRepository(base, name.StrictValidation)
		if err != nil {
			return Source{}, parseError(quoted, err)
		}
		src.repo = r
	}
	return src, nil
}

// String is the source as the config wrote it.
func (s Source) String() string { return s.raw }

// Repository is registry/repository, without tag or digest.
func (s Source) Repository() string { return s.repo.Name() }

// Tag is the source's tag, or "".
func (s Source) Tag() string { return s.tag }

// Digest is the source's manifest digest ("sha256:<hex>"), or "" if it
// names only a tag.
func (s Source) Digest() string { return s.digest }

// Pinned reports whether the source names its digest.
func (s Source) Pinned() bool { return s.digest != "" }

// tagRef is repository:tag, the key under which a resolved tag is recorded.
func (s Source) tagRef() string { return s.repo.Name() + ":" + s.tag }

// At returns the source pinned to a manifest digest: what to write in the
// config so that every start and every replica pulls the same bytes.
func (s Source) At(digest string) string {
	if s.tag != "" {
		return Scheme + s.tagRef() + "@" + digest
	}
	return Scheme + s.repo.Name() + "@" + digest
}

// parseError words a reference the registry library refused.
func parseError(quoted string, err error) error {
	msg := clipErr(err)
	if strings.Contains(msg, "registry to be explicitly defined") {
		msg = "name the registry host first, as in oci://registry.example.com/owner/plugin:1.0"
	}
	return fmt.Errorf("%q: %s", quoted, msg)
}

// clipErr is a parse or registry error as a bounded, escaped string: the
// text may quote the config or a registry's answer.
func clipErr(err error) string {
	return safetext.Bounded(err.Error(), 300)
}
