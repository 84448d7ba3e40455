package ociplugin

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// Cosign's layout for a signature made with a key ("cosign sign --key"),
// the one verified here: beside the manifest sha256:<hex>, the tag
// sha256-<hex>.sig of the same repository holds a manifest whose layers
// are simple-signing payloads, each with its signature in an annotation.
const (
	// SignatureMediaType is the media type of a signature layer.
	SignatureMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	// SignatureAnnotation holds a layer's signature, base64-encoded.
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
	// maxSignatures bounds the signature layers tried for one manifest.
	maxSignatures = 16
	// maxSignatureBytes bounds one base64 signature annotation (an ECDSA
	// P-256 signature is about 96 characters, RSA-4096 about 700).
	maxSignatureBytes = 8 << 10
	// maxKeyBytes bounds the public key file.
	maxKeyBytes = 64 << 10
)

// Key is an operator's cosign public key, which a plugin's signature must
// verify with.
type Key struct {
	file     string
	verifier signature.Verifier
}

// LoadKey reads a PEM public key file, as "cosign generate-key-pair"
// writes cosign.pub (ECDSA P-256; RSA and Ed25519 keys work too).
func LoadKey(path string) (*Key, error) {
	b, err := readBounded(path, maxKeyBytes)
	if err != nil {
		return nil, fmt.Errorf("reading the public key: %w", err)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PEM public key (want the cosign.pub of \"cosign generate-key-pair\"): %s", path, clipErr(err))
	}
	// SHA-256, as "cosign verify --key" loads a key.
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, clipErr(err))
	}
	return &Key{file: path, verifier: v}, nil
}

// File is the key's file name, for messages.
func (k *Key) File() string { return k.file }

// signatureTag is where cosign puts the signatures of a manifest digest.
func signatureTag(digest string) string {
	return strings.Replace(digest, ":", "-", 1) + ".sig"
}

// sigLayer is one signature of a signature manifest.
type sigLayer struct {
	digest string
	sig    []byte
}

// signatureLayers returns the signature layers of a cosign signature
// manifest, at most maxSignatures of them.
func signatureLayers(b []byte) ([]sigLayer, error) {
	m, err := parseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("the signature manifest: %w", err)
	}
	var out []sigLayer
	for _, l := range m.Layers {
		if l.MediaType != SignatureMediaType {
			continue
		}
		if len(out) == maxSignatures {
			break
		}
		enc := l.Annotations[SignatureAnnotation]
		if enc == "" || len(enc) > maxSignatureBytes || l.Size <= 0 || l.Size > MaxPayloadBytes {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			continue
		}
		if _, err := (store{}).blobPath(l.Digest); err != nil {
			continue
		}
		out = append(out, sigLayer{digest: l.Digest, sig: sig})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the signature manifest has no %s layer with a %s annotation", SignatureMediaType, SignatureAnnotation)
	}
	return out, nil
}

// verifyPayload checks one signature: sig over the payload bytes with the
// key, and the payload a cosign claim on manifest digest.
func (k *Key) verifyPayload(sig, body []byte, digest string) error {
	if err := k.verifier.VerifySignature(bytes.NewReader(sig), bytes.NewReader(body)); err != nil {
		return fmt.Errorf("does not verify with the key")
	}
	var p payload.SimpleContainerImage
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("its payload is not JSON")
	}
	if p.Critical.Type != payload.CosignSignatureType {
		return fmt.Errorf("its payload has type %q, want %q", clip(p.Critical.Type), payload.CosignSignatureType)
	}
	if p.Critical.Image.DockerManifestDigest != digest {
		return fmt.Errorf("it signs %s, not %s", clip(p.Critical.Image.DockerManifestDigest), digest)
	}
	return nil
}

// verifyLayers checks the signature layers against the manifest digest;
// payload returns a layer's checked payload bytes. It returns nil as soon
// as one signature verifies, or why none did.
func (k *Key) verifyLayers(layers []sigLayer, digest string, payload func(string) ([]byte, error)) error {
	var reasons []string
	for i, l := range layers {
		body, err := payload(l.digest)
		if err == nil {
			err = k.verifyPayload(l.sig, body, digest)
		}
		if err == nil {
			return nil
		}
		reasons = append(reasons, fmt.Sprintf("signature %d: %v", i+1, err))
	}
	return fmt.Errorf("%s", strings.Join(reasons, "; "))
}

// readBounded reads at most max bytes of a local file.
func readBounded(path string, max int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes, above the limit of %d", path, st.Size(), max)
	}
	return os.ReadFile(path)
}
