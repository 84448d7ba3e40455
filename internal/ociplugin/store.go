package ociplugin

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// store is the on-disk cache of pulled plugins, under one folder:
//
//	blobs/sha256/<hex>   manifests, Wasm layers, signature manifests and
//	                     payloads, each named by the SHA-256 of its bytes
//	index.json           the tags resolved so far and the signature found
//	                     for each manifest (see index)
//	plugins/<name>.wasm  the Wasm layer of each configured plugin, the file
//	                     the host loads
//
// Blobs are written once, through a temporary file renamed into place, and
// checked against their name whenever they are read: a corrupt or altered
// blob is never used (it is fetched again when the registry can be reached).
// A store filled by "host pull" at image build time can be mounted read-only.
type store struct {
	dir string
}

// maxIndexBytes bounds index.json, which only this package writes.
const maxIndexBytes = 4 << 20

// index is index.json: what was resolved over the network, so that later
// starts need none.
type index struct {
	Version int `json:"version"`
	// Tags maps registry/repository:tag to the manifest digest it resolved
	// to at the last "host pull" (or the first start). Starts use it; only
	// "host pull" resolves a tag again.
	Tags map[string]tagEntry `json:"tags,omitempty"`
	// Signatures maps registry/repository@sha256:<hex> to the digest of
	// its cosign signature manifest (tag sha256-<hex>.sig), last fetched.
	Signatures map[string]string `json:"signatures,omitempty"`
}

type tagEntry struct {
	Digest   string    `json:"digest"`
	Resolved time.Time `json:"resolved"`
}

const indexVersion = 1

func (s store) blobPath(digest string) (string, error) {
	hexPart, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(hexPart) != 64 || strings.Trim(hexPart, "0123456789abcdef") != "" {
		return "", fmt.Errorf("digest %q is not sha256:<64 lowercase hex digits>", clip(digest))
	}
	return filepath.Join(s.dir, "blobs", "sha256", hexPart), nil
}

// errCorrupt is a cached blob whose bytes do not match its digest.
var errCorrupt = errors.New("cached blob does not match its digest")

// readBlob returns the cached blob with digest, checked, at most max bytes.
// A missing blob is fs.ErrNotExist; a blob of the wrong size or digest is
// removed, if the store is writable, and reported as errCorrupt.
func (s store) readBlob(digest string, max int64) ([]byte, error) {
	path, err := s.blobPath(digest)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max || digestOf(b) != digest {
		os.Remove(path)
		return nil, fmt.Errorf("%s: %w", digest, errCorrupt)
	}
	return b, nil
}

// hasBlob reports whether the blob with digest is cached and its bytes
// match, streaming it through the hash (a Wasm layer may be large).
func (s store) hasBlob(digest string, max int64) (bool, error) {
	path, err := s.blobPath(digest)
	if err != nil {
		return false, err
	}
	got, n, err := fileDigest(path, max)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n > max || got != digest {
		os.Remove(path)
		return false, nil
	}
	return true, nil
}

// putBlob stores b under its digest, which must be want.
func (s store) putBlob(want string, b []byte) error {
	if got := digestOf(b); got != want {
		return fmt.Errorf("the registry sent bytes with digest %s for %s", got, want)
	}
	path, err := s.blobPath(want)
	if err != nil {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// putBlobFrom streams at most max bytes of r into the store under want,
// checking the digest before the blob takes its name.
func (s store) putBlobFrom(want string, r io.Reader, max int64) error {
	path, err := s.blobPath(want)
	if err != nil {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error {
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(r, max+1))
		if err != nil {
			return err
		}
		if n > max {
			return fmt.Errorf("the registry sent more than the limit of %d bytes", max)
		}
		if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != want {
			return fmt.Errorf("the registry sent bytes with digest %s for %s", got, want)
		}
		return nil
	})
}

// loadIndex reads index.json; a store without one has an empty index.
func (s store) loadIndex() (index, error) {
	ix := index{Version: indexVersion}
	f, err := os.Open(filepath.Join(s.dir, "index.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return ix, nil
	}
	if err != nil {
		return ix, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxIndexBytes+1))
	if err != nil {
		return ix, err
	}
	if len(b) > maxIndexBytes {
		return ix, fmt.Errorf("%s is above the limit of %d bytes", f.Name(), maxIndexBytes)
	}
	if err := json.Unmarshal(b, &ix); err != nil {
		return ix, fmt.Errorf("%s: %w (remove it and run \"host pull\")", f.Name(), err)
	}
	if ix.Version != indexVersion {
		return ix, fmt.Errorf("%s has version %d, this host reads %d (remove it and run \"host pull\")", f.Name(), ix.Version, indexVersion)
	}
	return ix, nil
}

// saveIndex writes index.json through a temporary file. Two processes
// saving at once (a "host pull" beside a starting host) may lose one's
// entry; it is resolved again on its next need.
func (s store) saveIndex(ix index) error {
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, "index.json"), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// install makes plugins/<name>.wasm hold the cached blob with digest (its
// bytes checked by the caller) and returns its path. An up-to-date file is
// left alone, so a read-only store filled beforehand works; otherwise the
// blob is hard-linked (or copied) to a temporary name and renamed into
// place, so the host never reads a half-written file.
func (s store) install(name, digest string, max int64) (string, error) {
	dst := filepath.Join(s.dir, "plugins", name+".wasm")
	if got, n, err := fileDigest(dst, max); err == nil && n <= max && got == digest {
		return dst, nil
	}
	src, err := s.blobPath(digest)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+name+".wasm.tmp")
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		if err := copyFile(src, tmp); err != nil {
			os.Remove(tmp)
			return "", err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return dst, nil
}

// writeAtomic writes path through fill into a temporary file of the same
// folder, then renames it into place.
func writeAtomic(path string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// fileDigest streams at most max+1 bytes of path through SHA-256 and
// returns "sha256:<hex>" and the bytes read.
func fileDigest(path string, max int64) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, max+1))
	if err != nil {
		return "", n, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), n, nil
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
