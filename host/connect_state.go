package host

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// The requestState of an input_required result (MCP 2026-07-28): what a
// client echoes back when it retries a call after the user connected the
// provider. The host keeps nothing between the two requests (replicas
// share no memory), so the state carries what it binds and an HMAC over
// it: the user (userId only, never the userToken), the tool, a digest of
// the arguments, and an expiry. It is readable, not secret: base64url of
// a small JSON object, a dot, base64url of the MAC.

// stateVersion starts every MAC input, so that a MAC of this format is
// never valid for another use of the same key.
const stateVersion = "wasmcp-connect-state-v1"

// DefaultConnectStateTTL is how long a requestState stays valid: enough
// for a user to sign in at the provider and grant access.
const DefaultConnectStateTTL = 15 * time.Minute

// minStateKey is the shortest state key accepted from a file.
const minStateKey = 32

// maxRequestState caps a requestState a client sends back; the host's own
// are far shorter.
const maxRequestState = 4 << 10

// connectState is what a requestState binds.
type connectState struct {
	User          string `json:"u"`
	Tool          string `json:"t"`
	Args          string `json:"a"`   // hex sha256 of the arguments, canonical JSON
	Expires       int64  `json:"exp"` // Unix seconds
	ElicitationID string `json:"e"`
	Status        int    `json:"s"` // why the connect was asked: 403, 404 (backend) or 401 (provider)
}

// stateSigner issues and verifies requestStates with one key.
type stateSigner struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// newStateSigner returns a signer with the key of keyFile, or a random key
// of this process when keyFile is "" (a state is then valid only on the
// replica that issued it, until it restarts).
func newStateSigner(keyFile string, ttl time.Duration) (*stateSigner, error) {
	if ttl <= 0 {
		ttl = DefaultConnectStateTTL
	}
	s := &stateSigner{ttl: ttl, now: time.Now}
	if keyFile == "" {
		s.key = make([]byte, 32)
		rand.Read(s.key) // never fails (crypto/rand since Go 1.24)
		return s, nil
	}
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("backend.connect_state_key_file: %w", err)
	}
	key := strings.TrimSpace(string(data))
	if len(key) < minStateKey {
		return nil, fmt.Errorf("backend.connect_state_key_file: the key is %d bytes, want at least %d (e.g. openssl rand -hex 32)", len(key), minStateKey)
	}
	s.key = []byte(key)
	return s, nil
}

// argsDigest is the hex sha256 of the arguments as canonical JSON
// (encoding/json sorts map keys); no arguments and {} are the same.
func argsDigest(args map[string]any) string {
	if args == nil {
		args = map[string]any{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		b = []byte("unencodable")
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// issue returns the requestState binding user, tool and args, valid for
// the signer's TTL from now.
func (s *stateSigner) issue(user, tool string, args map[string]any, elicitationID string, status int) string {
	st := connectState{
		User: user, Tool: tool, Args: argsDigest(args),
		Expires: s.now().Add(s.ttl).Unix(), ElicitationID: elicitationID, Status: status,
	}
	payload, _ := json.Marshal(st) // strings and integers always encode
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p))
}

func (s *stateSigner) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(stateVersion))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Why a requestState is refused. The messages are for the model and the
// client's log: they say what to do.
var (
	errStateMalformed = errors.New("the requestState was not issued by this server (malformed); call the tool again without it")
	errStateForged    = errors.New("the requestState was not issued by this server, or by another replica with a different key; call the tool again without it")
	errStateExpired   = errors.New("the requestState has expired: the connect request is too old; call the tool again to get a new one")
	errStateUser      = errors.New("the requestState was issued to another userId; call the tool again without it")
	errStateTool      = errors.New("the requestState was issued for another tool; call the tool again without it")
	errStateArgs      = errors.New("the requestState was issued for other arguments; call the tool again without it")
)

// verify checks a requestState sent back with a call of tool by user with
// args: its MAC (in constant time) first, then its expiry and what it
// binds.
func (s *stateSigner) verify(state, user, tool string, args map[string]any) (connectState, error) {
	var st connectState
	if len(state) > maxRequestState {
		return st, errStateMalformed
	}
	p, m, ok := strings.Cut(state, ".")
	if !ok {
		return st, errStateMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return st, errStateMalformed
	}
	if !hmac.Equal(got, s.mac(p)) {
		return st, errStateForged
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &st) != nil {
		return st, errStateMalformed // cannot happen for a valid MAC
	}
	switch {
	case s.now().Unix() >= st.Expires:
		return st, errStateExpired
	case st.User != user:
		return st, errStateUser
	case st.Tool != tool:
		return st, errStateTool
	case !hmac.Equal([]byte(st.Args), []byte(argsDigest(args))):
		return st, errStateArgs
	}
	return st, nil
}

// newElicitationID returns a random elicitationId: unique, and telling
// nothing.
func newElicitationID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "connect-" + hex.EncodeToString(b)
}
