package auth

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Fingerprint returns the first 8 hex digits of the SHA-256 of s: enough to
// tell two tokens apart in logs and reports, far too little to recover or
// check a guess of a high-entropy token. Use it instead of a token wherever
// a token would be useful to show.
func Fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// flightKey is the singleflight key of an exchange: the SHA-256 of the
// three values, each prefixed with its length so that no two triples share
// an encoding. The raw userToken is never a map key, so it cannot leak
// through a dump of the flight group.
func flightKey(c Credentials) string {
	h := sha256.New()
	for _, v := range [3]string{c.UserID, c.UserToken, c.ProviderID} {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(v))))
		h.Write([]byte(v))
	}
	return string(h.Sum(nil))
}
