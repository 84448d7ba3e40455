package ociplugin

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The artefact format: an OCI image manifest (or a Docker v2 one) with
// exactly one layer of a Wasm media type, the plugin's .wasm file as it is,
// uncompressed. The layer's digest is then the SHA-256 of the file, the
// value of plugins.<name>.sha256. The config blob and any other layer are
// never read. It is what "oras push REF plugin.wasm:application/vnd.wasm.content.layer.v1+wasm"
// makes; a container image (tar layers) is not a plugin.
const (
	// LayerMediaType is the Wasm layer's media type, as wasm-to-oci, Spin
	// and the CNCF Wasm OCI artefact conventions write it.
	LayerMediaType = "application/vnd.wasm.content.layer.v1+wasm"
	// layerMediaTypeShort is the CNCF TAG Runtime layout's own layer type.
	layerMediaTypeShort = "application/wasm"
	// ArtifactType is what "host pull --help" suggests for oras's
	// --artifact-type; it is not required.
	ArtifactType = "application/vnd.wasmcp.plugin.v1"

	ociManifest    = "application/vnd.oci.image.manifest.v1+json"
	dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	ociIndex       = "application/vnd.oci.image.index.v1+json"
	dockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// manifest is the part of an image manifest read here.
type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Layers        []descriptor `json:"layers"`
	Manifests     []descriptor `json:"manifests"` // set in an index
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
}

func parseManifest(b []byte) (manifest, error) {
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("the manifest is not JSON: %s", clip(err.Error()))
	}
	if m.SchemaVersion != 2 {
		return m, fmt.Errorf("the manifest has schemaVersion %d, want 2", m.SchemaVersion)
	}
	return m, nil
}

// wasmLayer returns the one Wasm layer of a plugin's manifest.
func wasmLayer(m manifest) (descriptor, error) {
	switch {
	case m.MediaType == ociIndex || m.MediaType == dockerList || len(m.Manifests) > 0:
		return descriptor{}, fmt.Errorf("it is an image index, not a plugin: a plugin is one manifest with one %s layer (see \"host pull --help\")", LayerMediaType)
	case m.MediaType != "" && m.MediaType != ociManifest && m.MediaType != dockerManifest:
		return descriptor{}, fmt.Errorf("its manifest has media type %s, want %s", clip(m.MediaType), ociManifest)
	}
	var found []descriptor
	var others []string
	for _, l := range m.Layers {
		if l.MediaType == LayerMediaType || l.MediaType == layerMediaTypeShort {
			found = append(found, l)
		} else if len(others) < 4 {
			others = append(others, clip(l.MediaType))
		}
	}
	switch {
	case len(found) == 0 && len(m.Layers) == 0:
		return descriptor{}, fmt.Errorf("its manifest has no layer: want one %s layer holding the .wasm file", LayerMediaType)
	case len(found) == 0:
		return descriptor{}, fmt.Errorf("it has no Wasm layer (media type %s), only %s: a container image is not a plugin; push the .wasm file itself (see \"host pull --help\")",
			LayerMediaType, strings.Join(others, ", "))
	case len(found) > 1:
		return descriptor{}, fmt.Errorf("it has %d Wasm layers, want exactly one", len(found))
	}
	l := found[0]
	if l.Size <= 0 || l.Size > MaxWasmBytes {
		return descriptor{}, fmt.Errorf("its Wasm layer is %d bytes, want 1 to %d", l.Size, MaxWasmBytes)
	}
	if _, err := (store{}).blobPath(l.Digest); err != nil {
		return descriptor{}, fmt.Errorf("its Wasm layer: %w", err)
	}
	return l, nil
}
