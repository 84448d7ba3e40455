package auth

import "testing"

func TestFingerprint(t *testing.T) {
	// SHA-256("abc") = ba7816bf 8f01cfea ...
	if got := Fingerprint("abc"); got != "ba7816bf" {
		t.Errorf("Fingerprint(abc) = %q, want ba7816bf", got)
	}
	if Fingerprint(testAccessToken) == Fingerprint(testUserToken) {
		t.Error("distinct tokens share a fingerprint")
	}
}

func TestFlightKey(t *testing.T) {
	a := flightKey(Credentials{"ab", "c", "reddit"})
	b := flightKey(Credentials{"a", "bc", "reddit"})
	if a == b {
		t.Error("length-ambiguous triples share a key")
	}
	if a != flightKey(Credentials{"ab", "c", "reddit"}) {
		t.Error("key is not deterministic")
	}
	if len(a) != 32 {
		t.Errorf("key is %d bytes, want a SHA-256", len(a))
	}
}
