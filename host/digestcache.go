package host

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"
)

// A start hashes every plugin file, to find its cached descriptor and
// metered code and to check its pin: 14 MB for three stock-Go plugins,
// about a third of the time to the first tools/list. The digest of a file
// whose stamp (device, inode, size, modification and change times) is the
// one recorded with it is taken from the cache instead, as git's index and
// Go's build cache do.
//
// A record is written only for a file last changed 2 s or more before it
// was hashed: a file changed again later has a newer mtime or ctime, even
// on a file system whose clock ticks coarsely, so its stamp differs and it
// is hashed anew. A process can set a file's mtime but not its ctime, which
// the kernel sets at every change; only root can change a file and keep
// its stamp. And the digest is a key, not a licence: the code that runs is
// the metered code cached for that digest, or the file read again and
// checked against it (fileOf). See RATIONALE.md, "Why may a start trust a
// file's stamp for its digest?".

// settledAge is how long before hashing a file must have last changed for
// its digest to be recorded with its stamp.
const settledAge = 2 * time.Second

// fileStamp identifies a file's content for as long as it is unchanged.
type fileStamp struct {
	Dev     uint64 `json:"dev"`
	Ino     uint64 `json:"ino"`
	Size    int64  `json:"size"`
	MtimeNS int64  `json:"mtime_ns"`
	CtimeNS int64  `json:"ctime_ns"`
}

type digestRecord struct {
	Stamp  fileStamp `json:"stamp"`
	SHA256 string    `json:"sha256"`
}

// digestOf returns the hex sha256 of the plugin file at path, from the
// digest cache when its stamp is the recorded one, else hashed.
func (l *loader) digestOf(path string) (string, error) {
	began := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	stamp, stamped := stampOf(st)
	record := l.digestPath(path)
	if stamped && record != "" {
		var rec digestRecord
		if b, err := os.ReadFile(record); err == nil && json.Unmarshal(b, &rec) == nil && rec.Stamp == stamp && len(rec.SHA256) == sha256.Size*2 {
			return rec.SHA256, nil
		}
	}
	digest, err := hashPluginFile(f, st.Size())
	if err != nil {
		return "", err
	}
	settled := settledAge
	if l.digestSettle != 0 {
		settled = l.digestSettle
	}
	if stamped && record != "" && began.UnixNano()-max(stamp.MtimeNS, stamp.CtimeNS) >= int64(settled) {
		if b, err := json.Marshal(digestRecord{Stamp: stamp, SHA256: digest}); err == nil {
			writeCacheFile(record, b)
		}
	}
	return digest, nil
}

// digestPath is where the digest of the file at path is recorded, by its
// absolute path; "" without a cache.
func (l *loader) digestPath(path string) string {
	if l.cacheDir == "" {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(l.cacheDir, "digests", hex.EncodeToString(sum[:16])+".json")
}

// hashPluginFile returns the hex sha256 of the plugin file f, of size
// bytes, with readPluginFile's checks, reading it in blocks.
func hashPluginFile(f *os.File, size int64) (string, error) {
	if err := checkPluginSize(size); err != nil {
		return "", err
	}
	var head [8]byte
	n, _ := io.ReadFull(f, head[:])
	if err := checkWasmHead(head[:n]); err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(head[:])
	if _, err := io.Copy(h, io.LimitReader(f, maxPluginBytes-int64(len(head))+1)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
